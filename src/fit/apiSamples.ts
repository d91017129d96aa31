/**
 * API-layer overhead rows, the source of the simulator's alpha coefficients
 * (formats.md §3b: α0 + α1·input tokens before the engine, α2 per output
 * token after it):
 * - ingress: QUEUED − ARRIVED against prompt tokens. QUEUED rather than
 *   HANDOFF_TO_CORE because HANDOFF exists only on the chat route and the
 *   simulator's delay must cover everything before the engine queue;
 * - egress: DEPARTED − FINISHED against output tokens; aborted requests
 *   (api.ABORTED) are left out — their egress is a disconnect, not a response.
 */
import type { OtlpCapture } from '../capture/otlpRecords.js';
import { ExclusionTally } from './exclusions.js';
import type { SampleSet } from './betaSamples.js';
import { betweenUs, journeyMarks, outputTokens, promptTokens } from './journeyMarks.js';

export interface ApiSample {
  journey: number;
  /** ARRIVED (ingress) or FINISHED (egress), ms: the holdout's time order. */
  timeMs: number;
  durationUs: number;
  /** Prompt tokens (ingress) or output tokens (egress). */
  tokens: number;
}

function byTime(samples: ApiSample[]): ApiSample[] {
  return samples.sort((a, b) => a.timeMs - b.timeMs || a.journey - b.journey);
}

export function extractIngressSamples(otlp: OtlpCapture): SampleSet<ApiSample> {
  const tally = new ExclusionTally();
  const missing = tally.rule('no-arrived-or-queued', 'no api.ARRIVED or no journey.QUEUED (API and core spans not joined)');
  const noPrompt = tally.rule('no-prompt-length', 'prompt length unknown');
  const samples: ApiSample[] = [];
  otlp.requests.forEach((request, journey) => {
    const marks = journeyMarks(request);
    if (marks.ARRIVED === undefined || marks.QUEUED === undefined) return missing();
    const tokens = promptTokens(request, marks);
    if (tokens === undefined) return noPrompt();
    samples.push({ journey, timeMs: marks.ARRIVED.tsMs, durationUs: betweenUs(marks.ARRIVED, marks.QUEUED), tokens });
  });
  return { samples: byTime(samples), extracted: otlp.requests.length, exclusions: tally.list() };
}

export function extractEgressSamples(otlp: OtlpCapture): SampleSet<ApiSample> {
  const tally = new ExclusionTally();
  const aborted = tally.rule('aborted', 'the client went away (api.ABORTED): no response was sent');
  const missing = tally.rule('no-finished-or-departed', 'no journey.FINISHED or no api.DEPARTED');
  const noOutput = tally.rule('no-output-length', 'output length unknown');
  const samples: ApiSample[] = [];
  otlp.requests.forEach((request, journey) => {
    const marks = journeyMarks(request);
    if (marks.ABORTED !== undefined) return aborted();
    if (marks.FINISHED === undefined || marks.DEPARTED === undefined) return missing();
    const tokens = outputTokens(request, marks);
    if (tokens === undefined) return noOutput();
    samples.push({ journey, timeMs: marks.FINISHED.tsMs, durationUs: betweenUs(marks.FINISHED, marks.DEPARTED), tokens });
  });
  return { samples: byTime(samples), extracted: otlp.requests.length, exclusions: tally.list() };
}
