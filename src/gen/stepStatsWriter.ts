/**
 * Writes `trace-step-stats.jsonl` (formats.md §2): a seed line at ts_ms 0,
 * then one line per step at its end time with the scheduler's stats.
 *
 * Idle rule: step i's interval is [line i−1, line i], so a step that follows
 * an idle engine would swallow the idle time. When work resumes after the
 * engine sat with an empty batch, an idle marker line is written at the
 * resume time: num_running_reqs 0, no prefix_cache_stats (no prefill),
 * spec_decoding_stats null, no step_counter. Its interval starts from a
 * line with an empty batch and it ran no prefill, so it did no work: a
 * reader drops it as idle. (A real step that starts from an empty batch
 * always runs prefill — there is nothing else to run — so the rule never
 * drops a real step.)
 */
import type { IdleEndEvent, StepEvent } from './events.js';
import type { LineSink } from './lineSink.js';
import { msText } from './timeText.js';

export class StepStatsWriter {
  constructor(private readonly sink: LineSink) {}

  start(): Promise<void> | undefined {
    return this.sink.add('{"ts_ms":0,"scheduler":{"num_running_reqs":0,"num_waiting_reqs":0,"kv_cache_usage":0,"spec_decoding_stats":null}}');
  }

  onIdleEnd(event: IdleEndEvent): Promise<void> | undefined {
    return this.sink.add(
      `{"ts_ms":${msText(event.atUs)},"scheduler":{"num_running_reqs":0,"num_waiting_reqs":${event.waiting},"kv_cache_usage":${ratio(event.kvUsage)},"spec_decoding_stats":null}}`,
    );
  }

  onStep(step: StepEvent): Promise<void> | undefined {
    const p = step.prefix;
    const s = step.spec;
    const spec =
      s === null
        ? 'null'
        : `{"num_spec_tokens":${s.numSpecTokens},"num_drafts":${s.numDrafts},"num_draft_tokens":${s.numDraftTokens},"num_accepted_tokens":${s.numAcceptedTokens},"num_accepted_tokens_per_pos":[${s.numAcceptedTokensPerPos.join(',')}]}`;
    return this.sink.add(
      `{"ts_ms":${msText(step.endUs)},"scheduler":{"num_running_reqs":${step.runningAfter},"num_waiting_reqs":${step.waitingAfter},` +
        `"kv_cache_usage":${ratio(step.kvUsageAfter)},` +
        `"prefix_cache_stats":{"requests":${p.requests},"queries":${p.queries},"hits":${p.hits},"reset":false,` +
        `"preempted_requests":${p.preemptedRequests},"preempted_queries":${p.preemptedQueries},"preempted_hits":${p.preemptedHits}},` +
        `"spec_decoding_stats":${spec},"step_counter":${step.id}}}`,
    );
  }
}

/** KV usage rounded to 6 decimals (keeps lines short; finer than any dashboard shows). */
function ratio(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
