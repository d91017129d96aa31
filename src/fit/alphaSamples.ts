/**
 * The alpha (queue-wait) fit's rows: one per request journey, target
 * first SCHEDULED − QUEUED, with the scheduler state the request met on
 * arrival taken AS OF the latest sampled step summary that started strictly
 * before its QUEUED event (the SQL view `alpha_samples` joins the same way).
 * Summaries are sampled, so that state can be stale: its age is kept.
 */
import type { OtlpCapture, OtlpStepSummary } from '../capture/otlpRecords.js';
import { ExclusionTally } from './exclusions.js';
import type { SampleSet } from './betaSamples.js';
import { betweenUs, journeyMarks, outputTokens, promptTokens } from './journeyMarks.js';

export interface AlphaSample {
  /** Index of the journey in `capture.otlp.requests`. */
  journey: number;
  queuedMs: number;
  /** First SCHEDULED − QUEUED, µs (the target). */
  queueWaitUs: number;
  promptTokens: number;
  /** -1 when unknown. */
  outputTokens: number;
  /** From the summary joined: queue depth, running depth, KV usage (0–1). */
  waiting: number;
  running: number;
  kvUsage: number;
  summaryStepId: number;
  /** QUEUED − the summary's step start, ms. */
  summaryAgeMs: number;
}

export interface AlphaSampleOptions {
  warmupSteps: number;
}

/** Index of the last summary starting strictly before `ms`, or -1 (summaries sorted by start). */
function lastStartingBefore(summaries: readonly OtlpStepSummary[], ms: number): number {
  let lo = 0;
  let hi = summaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (summaries[mid].startMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export function extractAlphaSamples(otlp: OtlpCapture, options: AlphaSampleOptions): SampleSet<AlphaSample> {
  const tally = new ExclusionTally();
  const unscheduled = tally.rule('not-scheduled', 'no QUEUED or no SCHEDULED event (aborted while waiting, or events dropped by the 128-per-span limit)');
  const noPrompt = tally.rule('no-prompt-length', 'prompt length unknown (no prefill.total_tokens and no API prompt tokens)');
  const noSummary = tally.rule('no-prior-summary', 'no sampled step summary started before QUEUED, so the queue state is unknown');
  const warmUp = tally.rule('warm-up', `queue state from one of the first ${options.warmupSteps} engine steps (warm-up)`);

  // Sorted by step id, which is start order; sort defensively by start so the binary search holds.
  const summaries = [...otlp.steps].sort((a, b) => a.startMs - b.startMs);
  const firstStepId = otlp.steps.length > 0 ? otlp.steps[0].stepId : 0;
  const samples: AlphaSample[] = [];
  otlp.requests.forEach((request, journey) => {
    const marks = journeyMarks(request);
    const queued = marks.QUEUED;
    const scheduled = marks.SCHEDULED;
    if (queued === undefined || scheduled === undefined) return unscheduled();
    const prompt = promptTokens(request, marks);
    if (prompt === undefined) return noPrompt();
    const index = lastStartingBefore(summaries, queued.tsMs);
    if (index < 0) return noSummary();
    const summary = summaries[index];
    if (summary.stepId < firstStepId + options.warmupSteps) return warmUp();
    samples.push({
      journey,
      queuedMs: queued.tsMs,
      queueWaitUs: betweenUs(queued, scheduled),
      promptTokens: prompt,
      outputTokens: outputTokens(request, marks) ?? -1,
      waiting: summary.waitingDepth,
      running: summary.runningDepth,
      kvUsage: summary.kvUsageGpuRatio,
      summaryStepId: summary.stepId,
      summaryAgeMs: queued.tsMs - summary.startMs,
    });
  });
  samples.sort((a, b) => a.queuedMs - b.queuedMs || a.journey - b.journey);
  return { samples, extracted: otlp.requests.length, exclusions: tally.list() };
}
