import { describe, expect, it } from 'vitest';
import { INVALID_FOR_TRACE, acceptedLines, engineTraceText, inFinishOrder } from '../../src/convert/engineTraceText.js';
import { SkipLog } from '../../src/convert/skips.js';
import type { TraceLine } from '../../src/convert/trace.js';

const line = (fields: Partial<TraceLine>): TraceLine => ({ prompt_tokens: 10, output_tokens: 1, ttft_ms: 5, ...fields });

describe('acceptedLines: the engine-trace reader as the gate', () => {
  it("keeps valid lines and skips the others with the reader's reason", () => {
    const skipped = new SkipLog();
    const valid = line({ output_tokens: 3, itl_ms: [1, 2] });
    const accepted = acceptedLines(
      [
        { from: 'request 0', line: valid },
        { from: 'request 1', line: line({ output_tokens: 3, itl_ms: [1] }) },
        { from: 'request 2', line: line({ output_tokens: 4 }) },
        { from: 'request 3', line: line({ ttft_ms: Number.NaN }) },
      ],
      skipped,
    );
    expect(accepted).toEqual([valid]);
    expect(skipped.countsText()).toBe(`3 ${INVALID_FOR_TRACE}`);
    expect(skipped.examples).toEqual([
      `request 1: ${INVALID_FOR_TRACE} (itl_ms has 1 entries (expected 2, one per token after the first))`,
      `request 2: ${INVALID_FOR_TRACE} (output_tokens is 4 but there is no itl_ms or itl_summary (expected one of them when output_tokens > 1))`,
      `request 3: ${INVALID_FOR_TRACE} (ttft_ms must be a finite number >= 0 (got NaN))`,
    ]);
  });
});

describe('inFinishOrder', () => {
  it('sorts by arrival + TTFT + decode time, stable on ties', () => {
    const late = line({ arrival_ms: 0, ttft_ms: 10, output_tokens: 3, itl_ms: [50, 50] }); // ends 110
    const summarized = line({ arrival_ms: 20, ttft_ms: 10, output_tokens: 5, itl_summary: { mean_ms: 10, count: 4 } }); // ends 70
    const tieA = line({ arrival_ms: 40, ttft_ms: 30 }); // ends 70
    const early = line({ arrival_ms: 50, ttft_ms: 5 }); // ends 55
    expect(inFinishOrder([late, summarized, tieA, early])).toEqual([early, summarized, tieA, late]);
  });

  it('keeps the given order when some line has no arrival', () => {
    const lines = [line({ arrival_ms: 100 }), line({}), line({ arrival_ms: 0 })];
    expect(inFinishOrder(lines)).toEqual(lines);
  });
});

describe('engineTraceText', () => {
  it('writes the meta line (known keys, then run facts), then one line per request', () => {
    const text = engineTraceText({ source: 'guidellm', model: 'm', extra: { guidellm_version: '0.6.0' } }, [line({ arrival_ms: 0 })]);
    expect(text).toBe(
      '{"meta":{"model":"m","source":"guidellm","guidellm_version":"0.6.0"}}\n' + '{"prompt_tokens":10,"output_tokens":1,"ttft_ms":5,"arrival_ms":0}\n',
    );
    expect(engineTraceText({ source: 'vllm-bench', extra: {} }, [])).toBe('{"meta":{"source":"vllm-bench"}}\n');
  });
});
