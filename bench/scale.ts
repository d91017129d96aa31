/**
 * Scale bench (`npm run bench`, or `node dist/bench/run.js [--quick] scale`):
 * `vcr proto` and `vcr load` as child processes on generated captures of
 * about 1e5, 1e6 and 1e7 gaps, plus one ≥ 1 GB trace for the memory check,
 * all measured in the same run:
 *
 * - proto wall ÷ the floor (a bare line-by-line JSON.parse of the same file,
 *   also its own process), target ≤ 2.0: the default (compressed packets)
 *   and `--no-compress`;
 * - .pftrace bytes ÷ Chrome JSON bytes (`--format json`), both forms,
 *   target ≤ 0.15;
 * - peak RSS of `vcr proto` and `vcr load` at every size, target < 1 GB and
 *   flat as the input grows;
 * - per-gap time, bytes and memory small → large (linear = flat per gap).
 *
 * Timings are the best of VCR_BENCH_RUNS runs (default 2; the ≥ 1 GB input
 * runs once). `--quick` stops at 1e6 gaps and skips the ≥ 1 GB input.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type RunResult } from './scale/measure.js';
import { HUGE, SIZES, scaleInput, type ScaleInput } from './scale/inputs.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const FLOOR = fileURLToPath(new URL('./scale/jsonParseFloor.js', import.meta.url));
const GB = 2 ** 30;
const MB = 2 ** 20;

interface SizeFigures {
  input: ScaleInput;
  gaps: number;
  floorMs: number;
  /** The default: compressed packets. */
  proto: RunResult;
  protoBytes: number;
  plain?: RunResult;
  plainBytes?: number;
  jsonBytes?: number;
  load?: RunResult;
}

async function best(runs: number, once: () => Promise<RunResult>): Promise<RunResult> {
  let result: RunResult | undefined;
  for (let i = 0; i < runs; i++) {
    const next = await once();
    if (!result || next.wallMs < result.wallMs) result = { ...next, peakRss: Math.max(next.peakRss, result?.peakRss ?? 0) };
  }
  return result as RunResult;
}

const vcr = (...args: string[]) => run(process.execPath, [CLI, ...args]);

function gapsOf(summaryLine: string): number {
  // "N slices": one prefill + one decode slice per gap; the decode slices are the gaps (summaries aside).
  const match = /([\d,]+) requests placed.*?([\d,]+) slices/.exec(summaryLine);
  if (!match) throw new Error(`no summary in: ${summaryLine}`);
  return Number(match[2].replaceAll(',', '')) - Number(match[1].replaceAll(',', ''));
}

async function measureSize(input: ScaleInput, runs: number, full: boolean, scratch: string): Promise<SizeFigures> {
  const out = join(scratch, 'out.pftrace');
  const floor = await best(runs, () => run(process.execPath, [FLOOR, input.trace]));
  const proto = await best(runs, () => vcr('proto', input.trace, '-o', out));
  const protoBytes = statSync(out).size;
  const figures: SizeFigures = { input, gaps: gapsOf(proto.stderr), floorMs: floor.wallMs, proto, protoBytes };
  if (full) {
    figures.plain = await best(runs, () => vcr('proto', input.trace, '-o', out, '--no-compress'));
    figures.plainBytes = statSync(out).size;
    figures.jsonBytes = (await vcr('proto', input.trace, '-o', '-', '--format', 'json')).stdoutBytes;
  }
  rmSync(out, { force: true });
  const db = join(scratch, 'load.duckdb');
  figures.load = await best(full ? runs : 1, async () => {
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
    return vcr('load', '--db', db, input.trace);
  });
  rmSync(db, { force: true });
  return figures;
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);
const mb = (bytes: number) => `${Math.round(bytes / MB)} MB`;

/** `vcr proto`'s wall includes the CLI's start-up; shown apart so the conversion itself can be read too. */
function printSizes(rows: SizeFigures[], startupMs: number): void {
  const lines = [
    '| input | trace | gaps | JSON.parse floor | vcr proto | proto ÷ floor | (proto − start-up) ÷ floor | ns / gap | --no-compress | ÷ floor | .pftrace ÷ JSON | --no-compress ÷ JSON | proto peak RSS | vcr load | load peak RSS |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const ratio = (bytes: number | undefined, json: number | undefined) => (bytes && json ? `**${fixed(bytes / json, 3)}**` : '—');
  for (const r of rows) {
    lines.push(
      `| ${r.input.label} | ${mb(r.input.bytes)} | ${r.gaps.toLocaleString('en-US')} | ${fixed(r.floorMs / 1000)} s | ${fixed(r.proto.wallMs / 1000)} s | ` +
        `**${fixed(r.proto.wallMs / r.floorMs)}** | ${fixed((r.proto.wallMs - startupMs) / r.floorMs)} | ${Math.round((r.proto.wallMs * 1e6) / r.gaps)} | ` +
        `${r.plain ? `${fixed(r.plain.wallMs / 1000)} s | ${fixed(r.plain.wallMs / r.floorMs)}` : '— | —'} | ` +
        `${ratio(r.protoBytes, r.jsonBytes)} | ${ratio(r.plainBytes, r.jsonBytes)} | ` +
        `${mb(r.proto.peakRss)} | ${r.load ? `${fixed(r.load.wallMs / 1000)} s` : '—'} | ${r.load ? mb(r.load.peakRss) : '—'} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printGrowth(rows: SizeFigures[]): void {
  const first = rows[0];
  const last = rows[rows.length - 1];
  const perGap = (r: SizeFigures, value: number) => value / r.gaps;
  const growth = (name: string, a: number, b: number) => `  ${name.padEnd(34)} ×${fixed(b / a)}`;
  process.stdout.write(
    [
      `growth ${first.input.label} → ${last.input.label} (gaps ×${fixed(last.gaps / first.gaps, 0)}; per-gap figures: 1.00 = linear):`,
      growth('proto wall per gap', perGap(first, first.proto.wallMs), perGap(last, last.proto.wallMs)),
      growth('floor wall per gap', perGap(first, first.floorMs), perGap(last, last.floorMs)),
      growth('proto ÷ floor', first.proto.wallMs / first.floorMs, last.proto.wallMs / last.floorMs),
      ...(first.plain && last.plain ? [growth('--no-compress ÷ floor', first.plain.wallMs / first.floorMs, last.plain.wallMs / last.floorMs)] : []),
      growth('.pftrace bytes per gap', perGap(first, first.protoBytes), perGap(last, last.protoBytes)),
      growth('proto peak RSS (flat = ×1)', first.proto.peakRss, last.proto.peakRss),
      ...(first.load && last.load ? [growth('load peak RSS (flat = ×1)', first.load.peakRss, last.load.peakRss)] : []),
      '',
    ].join('\n'),
  );
}

export async function runScaleBench(options: { quick?: boolean } = {}): Promise<void> {
  const runs = Number(process.env.VCR_BENCH_RUNS ?? 2);
  const scratch = resolve('bench/out/scale-scratch');
  mkdirSync(scratch, { recursive: true });
  process.stdout.write(
    `scale: ${new Date().toISOString()}, ${cpus().length} cores, ${Math.round(totalmem() / GB)} GB, node ${process.version}, ` +
      `load average ${loadavg().map((l) => fixed(l, 1)).join(' ')}; best of ${runs}\n`,
  );
  const startup = await best(3, () => vcr('--version'));
  process.stdout.write(`vcr start-up (vcr --version): ${fixed(startup.wallMs / 1000)} s\n`);
  const sizes = options.quick ? SIZES.slice(0, 2) : SIZES;
  const rows: SizeFigures[] = [];
  for (const size of sizes) rows.push(await measureSize(await scaleInput(size.label, size.requests), runs, true, scratch));
  if (!options.quick) rows.push(await measureSize(await scaleInput(HUGE.label, HUGE.requests), 1, false, scratch));
  printSizes(rows, startup.wallMs);
  printGrowth(rows.filter((r) => r.jsonBytes !== undefined));
  const huge = rows.find((r) => r.input.label === HUGE.label);
  if (huge) {
    const peak = Math.max(huge.proto.peakRss, huge.load?.peakRss ?? 0);
    process.stdout.write(
      `memory on the ${mb(huge.input.bytes)} trace: proto ${mb(huge.proto.peakRss)}, load ${huge.load ? mb(huge.load.peakRss) : '—'} ` +
        `(target < 1 GB: ${peak < GB ? 'met' : 'NOT met'})\n`,
    );
  }
  rmSync(scratch, { recursive: true, force: true });
}
