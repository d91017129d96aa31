import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { upstreamRequestRecord } from '../../src/capture/derive/upstreamRequests.js';
import { loadCapture } from '../../src/capture/load.js';
import type { UpstreamRequestSpan } from '../../src/capture/otlpRecords.js';
import { spillCapture } from '../../src/capture/spill/spilledCapture.js';
import { runVcr } from '../helpers/cli.js';
import { ms, scopeLine, SCOPE, span, SPAN_KIND, stringAttr, T0, upstreamRequestLine, type UpstreamRequestSpec } from '../helpers/otlpBuilder.js';

const dir = mkdtempSync(join(tmpdir(), 'vcr-upstream-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base: UpstreamRequestSpan = { requestId: 'r', line: 7, arrivalNs: 0n, arrivalMs: 12.5, promptTokens: 40, completionTokens: 5, ttftMs: 30 };

describe('upstreamRequestRecord', () => {
  it('spreads E2E − TTFT over output_tokens − 1 gaps, so the derived E2E is the span’s own', () => {
    const folded = upstreamRequestRecord({ ...base, e2eMs: 130, decodeMs: 90 });
    expect(folded).toStrictEqual({
      record: { line: 7, promptTokens: 40, cachedTokens: 0, outputTokens: 5, ttftMs: 30, concurrency: 1, arrivalMs: 12.5, itlSummary: { meanMs: 25, count: 4 } },
    });
  });

  it('falls back to time_in_model_decode without E2E', () => {
    expect(upstreamRequestRecord({ ...base, decodeMs: 80 })).toMatchObject({ record: { itlSummary: { meanMs: 20, count: 4 } } });
  });

  it('needs no gaps for zero or one output token', () => {
    for (const completionTokens of [0, 1]) {
      const folded = upstreamRequestRecord({ ...base, completionTokens });
      expect(folded).toMatchObject({ record: { outputTokens: completionTokens } });
      expect('record' in folded && folded.record.itlSummary).toBe(undefined);
    }
  });

  it('says why a span cannot be a request', () => {
    const cases: [Partial<UpstreamRequestSpan>, string][] = [
      [{ promptTokens: undefined }, 'no gen_ai.usage.prompt_tokens'],
      [{ completionTokens: undefined }, 'no gen_ai.usage.completion_tokens'],
      [{ completionTokens: -1 }, 'negative token count'],
      [{ ttftMs: undefined }, 'no gen_ai.latency.time_to_first_token'],
      [{ ttftMs: -1 }, 'negative gen_ai.latency.time_to_first_token'],
      [{}, 'no gen_ai.latency.e2e or time_in_model_decode for a request with more than one output token'],
      [{ e2eMs: 29 }, 'gen_ai.latency.e2e is shorter than time_to_first_token'],
    ];
    for (const [change, reason] of cases) expect(upstreamRequestRecord({ ...base, ...change })).toStrictEqual({ skipped: reason });
  });
});

/** A span starting `startMs` after the helpers' T0; `cmpl-<spanId>` of model Qwen/Qwen3-8B. */
function upstreamLine(spanId: string, startMs: number, fields: Omit<UpstreamRequestSpec, 'spanId' | 'startNs' | 'requestId'>): string {
  const extra = [stringAttr('gen_ai.response.model', 'Qwen/Qwen3-8B')];
  return upstreamRequestLine({ spanId, startNs: ms(startMs), requestId: `cmpl-${spanId}`, extra, ...fields });
}

const request = (promptTokens: number, completionTokens: number, ttftS: number, e2eS: number) => ({ promptTokens, completionTokens, ttftS, e2eS });

/** Three good spans (written out of arrival order) and one without a TTFT, on line 3. */
const OTLP_LINES = [
  upstreamLine('00000000000000b2', 500, request(64, 11, 0.25, 1.25)),
  upstreamLine('00000000000000b1', 0, request(32, 1, 0.125, 0.125)),
  upstreamLine('00000000000000b9', 700, { promptTokens: 8, completionTokens: 2 }),
  upstreamLine('00000000000000b3', 1000, request(16, 3, 0.0625, 0.5625)),
];

describe('a capture of upstream vLLM spans only', () => {
  const otlp = join(dir, 'upstream.jsonl');
  writeFileSync(otlp, OTLP_LINES.join('\n') + '\n');

  it('has the spans as its requests, in arrival order, with their own TTFT, E2E and TPOT', async () => {
    const warnings: string[] = [];
    const capture = await loadCapture({ otlp }, { warn: (message) => warnings.push(message) });
    const r = capture.requests;
    expect(r.count).toBe(3);
    expect([...r.sourceLine]).toEqual([2, 1, 4]);
    expect([...r.arrivalMs]).toEqual([0, 500, 1000]);
    expect([...r.promptTokens]).toEqual([32, 64, 16]);
    expect([...r.outputTokens]).toEqual([1, 11, 3]);
    expect([...r.ttftMs]).toEqual([125, 250, 62.5]);
    // E2E is the span's gen_ai.latency.e2e; TPOT is (E2E − TTFT) / (output − 1), as vLLM defines it.
    expect([...r.e2eMs]).toEqual([125, 1250, 562.5]);
    expect([...r.tpotMs]).toEqual([NaN, (1250 - 250) / 10, (562.5 - 62.5) / 2]);
    expect([...r.summaryGapCount]).toEqual([-1, 10, 2]);
    expect([...r.gapCount]).toEqual([0, 0, 0]);
    expect(capture.meta.model).toBe('Qwen/Qwen3-8B');
    // [500, 1750] and [1000, 1562.5] overlap.
    expect(capture.stats.peakConcurrency).toBe(2);
    expect(warnings).toEqual([`1 upstream llm_request span(s) left out of the request table:\n  ${otlp}:3: no gen_ai.latency.time_to_first_token`]);
  });

  it('reads the same requests through the spilling loader', async () => {
    const memory = await loadCapture({ otlp }, { warn: () => undefined });
    const spilled = await spillCapture({ otlp }, { tempDir: dir, warn: () => undefined });
    try {
      for (const key of ['sourceLine', 'arrivalMs', 'ttftMs', 'e2eMs', 'tpotMs', 'summaryGapCount', 'lane'] as const) {
        expect(spilled.requests[key]).toEqual(memory.requests[key]);
      }
    } finally {
      spilled.close();
    }
  });

  it('leaves them out when the capture has an engine trace: the trace is the request table', async () => {
    const trace = join(dir, 'trace.jsonl');
    writeFileSync(trace, JSON.stringify({ prompt_tokens: 5, output_tokens: 1, ttft_ms: 3, arrival_ms: 0 }) + '\n');
    const warnings: string[] = [];
    const capture = await loadCapture({ trace, otlp }, { warn: (message) => warnings.push(message) });
    expect(capture.requests.count).toBe(1);
    expect(capture.otlp?.upstream).toHaveLength(4);
    expect(capture.meta.model).toBe(undefined);
    expect(warnings).toEqual([]);
  });
});

describe('vcr on an OTLP export of upstream vLLM spans only', () => {
  const otlp = join(dir, 'upstream-cli.jsonl');
  writeFileSync(otlp, OTLP_LINES.join('\n') + '\n');

  it('draws, queries and reports the spans as requests', async () => {
    const proto = await runVcr(['proto', otlp, '-o', join(dir, 'upstream.pftrace')]);
    expect(proto.code).toBe(0);
    expect(proto.stderr).toContain('3 requests placed, 0 dropped (no arrival_ms), 2 lanes');

    const sql = await runVcr(['sql', 'SELECT source_line, e2e_ms, tpot_ms FROM requests ORDER BY request_id', '-t', otlp, '--format', 'csv']);
    expect(sql.code).toBe(0);
    expect(sql.stdout).toBe('source_line,e2e_ms,tpot_ms\n2,125,\n1,1250,100\n4,562.5,250\n');

    const report = await runVcr(['report', 'latency', otlp, '--json']);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout).capture).toMatchObject({ trace: null, otlp, model: 'Qwen/Qwen3-8B', requests: 3, gaps: 0 });
    const terminal = await runVcr(['report', 'latency', otlp]);
    expect(terminal.stdout.split('\n')[1]).toBe(`${otlp} · Qwen/Qwen3-8B · 3 requests, 0 gaps`);
  });

  it('refuses a latency report on an export without upstream spans, naming the file', async () => {
    const empty = join(dir, 'no-upstream.jsonl');
    writeFileSync(empty, scopeLine(SCOPE.api, span({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00000000000000c1', name: 'llm_request', kind: SPAN_KIND.server, startNs: T0, attributes: [stringAttr('gen_ai.request.id', 'a')] })) + '\n');
    const report = await runVcr(['report', 'latency', empty]);
    expect(report.code).toBe(2);
    expect(report.stderr).toBe(`vcr: the latency report needs an engine trace, or upstream vLLM llm_request spans in the OTLP export (${empty} has none)\n`);
  });
});
