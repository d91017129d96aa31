import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { registerLifecycleReport } from '../../src/cli/commands/reportLifecycle.js';
import { readOtlp } from '../../src/ingest/otlp/reader.js';
import { lifecycleReport, verdictOf, type LifecycleReport, type StageStats } from '../../src/report/lifecycle.js';
import { lifecycleDocument, renderLifecycleTerminal, terminalSplitBar } from '../../src/report/lifecycleRender.js';
import { renderHtml } from '../../src/report/render/html.js';
import { renderMarkdown } from '../../src/report/render/markdown.js';
import { journeyLines, type JourneySpec } from './lifecycleFixture.js';

const JOURNEYS: JourneySpec[] = [
  { id: 0, arrived: 0, handoff: 2, queued: 2, scheduled: 12, firstToken: 40, finished: 140, departed: 141 },
  { id: 1, arrived: 5, handoff: 8, queued: 8, scheduled: 50, firstToken: 90, finished: 300, departed: 303, preemptions: [[150, 170]] },
  // Completions route: no HANDOFF_TO_CORE, so ARRIVED → QUEUED (3 ms) is unattributed.
  { id: 2, arrived: 10, queued: 13, scheduled: 20, firstToken: 30, finished: 60, departed: 61 },
  // Core span only (no API parent in the file): E2E is engine side, QUEUED → FINISHED.
  { id: 3, queued: 100, scheduled: 101, firstToken: 110, finished: 200 },
];

function writeCapture(journeys: JourneySpec[] = JOURNEYS): string {
  const dir = mkdtempSync(join(tmpdir(), 'vcr-lifecycle-'));
  // Lines in reverse: a collector exports spans as they close, not in time order.
  writeFileSync(join(dir, 'otlp.jsonl'), `${journeys.flatMap(journeyLines).reverse().join('\n')}\n`);
  return dir;
}

async function report(journeys: JourneySpec[] = JOURNEYS): Promise<LifecycleReport> {
  return lifecycleReport(await readOtlp(join(writeCapture(journeys), 'otlp.jsonl')));
}

/** Stats computed independently from the journey times above: plain arithmetic, nearest rank by hand. */
function expected(values: number[]): Pick<StageStats, 'n' | 'avgMs' | 'minMs' | 'p50Ms' | 'p99Ms' | 'maxMs'> {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1];
  return {
    n: sorted.length,
    avgMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    minMs: sorted[0],
    p50Ms: rank(0.5),
    p99Ms: rank(0.99),
    maxMs: sorted[sorted.length - 1],
  };
}

describe('lifecycleReport', () => {
  const stage = (r: LifecycleReport, key: string) => r.stages.find((s) => s.key === key)!;
  const e2eTotal = 141 + 298 + 51 + 100;

  it('computes every stage from the journey events', async () => {
    const r = await report();
    const byStage: Record<string, number[]> = {
      api_in: [2 - 0, 8 - 5],
      queue: [12 - 2, 50 - 8, 20 - 13, 101 - 100],
      prefill: [40 - 12, 90 - 50, 30 - 20, 110 - 101],
      decode: [140 - 40, 300 - 90, 60 - 30, 200 - 110],
      api_out: [141 - 140, 303 - 300, 61 - 60],
      preempted: [170 - 150],
    };
    for (const [key, values] of Object.entries(byStage)) {
      const s = stage(r, key);
      const e = expected(values);
      expect(s.n, key).toBe(e.n);
      for (const field of ['avgMs', 'minMs', 'p50Ms', 'p99Ms', 'maxMs'] as const) expect(s[field], `${key} ${field}`).toBeCloseTo(e[field], 9);
      expect(s.shareOfE2e, `${key} %E2E`).toBeCloseTo(values.reduce((a, b) => a + b, 0) / e2eTotal, 12);
    }
    expect(r.e2e).toMatchObject(expected([141, 298, 51, 100]));
    expect(r.requests).toBe(4);
    expect(r.withE2e).toBe(4);
    expect(r.apiSideE2e).toBe(3);
  });

  it('splits E2E into the partitioning stages plus unattributed time, summing to 1', async () => {
    const r = await report();
    const share = Object.fromEntries(r.split.map((s) => [s.key, s.share]));
    expect(share.unattributed).toBeCloseTo(3 / e2eTotal, 12);
    expect(r.split.reduce((sum, s) => sum + s.share, 0)).toBeCloseTo(1, 12);
    expect(r.split.map((s) => s.key)).toEqual(['api_in', 'queue', 'prefill', 'decode', 'api_out', 'unattributed']);
  });

  it('names the bound by the largest share: here decode', async () => {
    const r = await report();
    expect(r.verdict.kind).toBe('decode-bound');
    expect(r.verdict.shares.api).toBeCloseTo((5 + 5) / e2eTotal, 12);
    expect(r.verdict.text).toMatch(/^decode-bound: decode is 72\.9% of end-to-end time \(prefill 14\.7%, queue 10\.2%, API overhead 1\.7%\)$/);
  });

  it('says so when no request has a complete journey (a capture cut before anything finished)', () => {
    const event = (type: 'QUEUED' | 'SCHEDULED', ms: number) => ({ layer: 'core' as const, type, timeNs: BigInt(ms) * 1_000_000n, tsMs: ms });
    const r = lifecycleReport({ path: 'live.jsonl', requests: [{ traceId: 't', line: 1, events: [event('QUEUED', 0), event('SCHEDULED', 4)] }] });
    expect(r.verdict.kind).toBe('no-data');
    expect(r.withE2e).toBe(0);
    expect(stage(r, 'queue')).toMatchObject({ n: 1, avgMs: 4 });
    expect(stage(r, 'decode').n).toBe(0);
    expect(r.split.every((s) => s.share === 0)).toBe(true);
  });
});

describe('verdict rule', () => {
  it('picks the largest of API overhead, queue, prefill and decode; ties go in that order', () => {
    expect(verdictOf({ api: 0.5, queue: 0.2, prefill: 0.2, decode: 0.1 }).kind).toBe('API-overhead-bound');
    expect(verdictOf({ api: 0.1, queue: 0.6, prefill: 0.2, decode: 0.1 }).kind).toBe('queue-bound');
    expect(verdictOf({ api: 0.1, queue: 0.1, prefill: 0.7, decode: 0.1 }).kind).toBe('prefill-bound');
    expect(verdictOf({ api: 0.1, queue: 0.1, prefill: 0.1, decode: 0.7 }).kind).toBe('decode-bound');
    expect(verdictOf({ api: 0.25, queue: 0.25, prefill: 0.25, decode: 0.25 }).kind).toBe('API-overhead-bound');
    expect(verdictOf({ api: 0, queue: 0.4, prefill: 0.4, decode: 0.2 }).kind).toBe('queue-bound');
    expect(verdictOf(undefined).kind).toBe('no-data');
  });
});

describe('lifecycle rendering', () => {
  it('prints the table, the verdict and a one-line bar that fills its width', async () => {
    const r = await report();
    const text = renderLifecycleTerminal(r, { color: false });
    expect(text).toContain('decode-bound: decode is 72.9%');
    expect(text).toMatch(/queue\s+QUEUED → SCHEDULED\s+4\s+15\.00\s+1\.00\s+7\.00\s+42\.00\s+42\.00\s+10\.2%/);
    const [bar, legend] = terminalSplitBar(r, { color: false, width: 50 }).split('\n');
    expect(bar).toHaveLength(50);
    expect(bar).toMatch(/^I*Q+P+D+O*\.*$/);
    // Largest remainder: decode's 36.4 blocks round to 36 or 37, never to 0 or 50.
    expect(bar.replace(/[^D]/g, '').length).toBeGreaterThanOrEqual(36);
    expect(legend).toContain('D decode 72.9%');
  });

  it('colours the bar and the hottest %E2E cell on a colour terminal', async () => {
    const text = renderLifecycleTerminal(await report(), { color: true });
    expect(text).toContain('█');
    // eslint-disable-next-line no-control-regex
    expect(text).toMatch(/\u001b\[3\dm/);
  });

  it('writes Markdown and self-contained HTML with an SVG stacked bar', async () => {
    const r = await report();
    const md = renderMarkdown(lifecycleDocument(r));
    expect(md).toContain('> decode-bound');
    expect(md).toContain('| decode | FIRST_TOKEN → FINISHED | 4 |');
    const html = await renderHtml(lifecycleDocument(r));
    expect(html).toContain('<svg');
    expect(html).toContain('data-plot="1"');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});

describe('vcr report lifecycle (command)', () => {
  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  });

  async function run(args: string[]): Promise<{ stdout: string; stderr: string; code: number | undefined }> {
    let stdout = '';
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    const program = new Command('vcr').exitOverride();
    registerLifecycleReport(program.command('report'));
    try {
      await program.parseAsync(['node', 'vcr', 'report', 'lifecycle', ...args]);
    } finally {
      vi.restoreAllMocks();
    }
    const code = typeof process.exitCode === 'number' ? process.exitCode : undefined;
    process.exitCode = undefined;
    return { stdout, stderr, code };
  }

  it('reads a capture directory, prints JSON and writes the HTML form', async () => {
    const dir = writeCapture();
    const html = join(dir, 'lifecycle.html');
    const result = await run([dir, '--json', '--html', html]);
    expect(result.code).toBeUndefined();
    const json = JSON.parse(result.stdout);
    expect(json.verdict.kind).toBe('decode-bound');
    expect(json.stages.find((s: { key: string }) => s.key === 'api_in').n).toBe(2);
    expect(readFileSync(html, 'utf8')).toContain('<svg');
  });

  it('prints the terminal form by default', async () => {
    const result = await run([join(writeCapture(), 'otlp.jsonl')]);
    expect(result.code).toBeUndefined();
    expect(result.stdout).toContain('decode-bound');
    expect(result.stdout).toContain('E2E split');
  });

  it('exits 2 on usage errors', async () => {
    const dir = writeCapture();
    expect((await run([dir, '--json', '--md'])).code).toBe(2);
    expect((await run([dir, '--watch', '--html', join(dir, 'x.html')])).code).toBe(2);
    expect((await run([dir, join(dir, 'otlp.jsonl'), '--watch'])).code).toBe(2);
    const traceOnly = mkdtempSync(join(tmpdir(), 'vcr-lifecycle-trace-'));
    writeFileSync(join(traceOnly, 'trace.jsonl'), '{"prompt_tokens":1,"output_tokens":1,"ttft_ms":2}\n');
    const noOtlp = await run([traceOnly]);
    expect(noOtlp.code).toBe(2);
    expect(noOtlp.stderr).toMatch(/needs an OTLP export/);
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
  });
});
