/**
 * Every `vcr` invocation registers every command, so registration must stay
 * light: commands import their implementation (src/cli/actions/) only when
 * they run. These tests run the built CLI with a module-resolution trace
 * (helpers/moduleTrace.mjs) and check which packages got loaded; they fail
 * when someone adds a static import of a heavy dependency to a command's
 * registration (or to what `vcr proto` needs). No timing is measured.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVcr, type CliResult } from '../helpers/cli.js';

const HOOK = new URL('../helpers/moduleTrace.mjs', import.meta.url).href;

/** Packages no command needs just to start (each costs tens to hundreds of ms to load). */
const HEAVY = ['vega', 'vega-lite', '@duckdb/node-api', '@duckdb/node-bindings', 'apache-arrow', 'ml-matrix'];

/** The npm packages whose modules a run of `vcr ARGS` imported. */
async function packagesLoaded(args: string[], cwd?: string): Promise<{ result: CliResult; packages: Set<string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'vcr-startup-'));
  const log = join(dir, 'modules.txt');
  writeFileSync(log, '');
  const result = await runVcr(args, {
    cwd,
    env: { VCR_MODULE_TRACE: log, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${HOOK}`.trim() },
  });
  const packages = new Set<string>();
  for (const url of readFileSync(log, 'utf8').split('\n')) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match) packages.add(match[1]);
  }
  return { result, packages };
}

function heavyAmong(packages: Set<string>): string[] {
  return HEAVY.filter((name) => packages.has(name));
}

const TRACE = [
  '{"meta":{"model":"m-7b","source":"tap"}}',
  '{"prompt_tokens":10,"output_tokens":3,"ttft_ms":20,"itl_ms":[5,7],"arrival_ms":0}',
  '{"prompt_tokens":10,"output_tokens":2,"ttft_ms":40,"itl_ms":[9],"arrival_ms":10}',
].join('\n');

function traceFile(): { dir: string; trace: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vcr-startup-'));
  const trace = join(dir, 'trace.jsonl');
  writeFileSync(trace, `${TRACE}\n`);
  return { dir, trace };
}

describe('start-up: what a command loads', () => {
  it('sees the packages a command does load (the trace works)', async () => {
    const { trace } = traceFile();
    const { result, packages } = await packagesLoaded(['sql', 'SELECT count(*) AS n FROM requests', '-t', trace, '--format', 'csv']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('n\n2\n');
    expect(packages.has('commander')).toBe(true);
    expect(packages.has('@duckdb/node-api')).toBe(true);
  });

  it('--version and --help load commander and nothing else', async () => {
    for (const args of [['--version'], ['--help']]) {
      const { result, packages } = await packagesLoaded(args);
      expect(result.code).toBe(0);
      expect([...packages]).toEqual(['commander']);
    }
  });

  it("every command's --help loads commander and nothing else", async () => {
    const commands = ['demo', 'gen', 'convert', 'info', 'proto', 'load', 'sql', 'export', 'fit', 'report', 'report latency', 'report calibrate', 'report fidelity', 'report lifecycle'];
    for (const command of commands) {
      const { result, packages } = await packagesLoaded([...command.split(' '), '--help']);
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toContain(`Usage: vcr ${command}`);
      expect([...packages], command).toEqual(['commander']);
    }
  });

  it('a usage error is reported before any command implementation loads', async () => {
    const { result, packages } = await packagesLoaded(['proto']);
    expect(result.code).toBe(2);
    expect([...packages]).toEqual(['commander']);
  });

  it('vcr proto loads protobufjs but none of the heavy packages', async () => {
    const { dir, trace } = traceFile();
    for (const extra of [[], ['--no-compress'], ['--format', 'json']]) {
      const { result, packages } = await packagesLoaded(['proto', trace, '-o', join(dir, 'out'), ...extra]);
      expect(result.code, extra.join(' ')).toBe(0);
      expect(heavyAmong(packages), extra.join(' ')).toEqual([]);
      if (extra[0] !== '--format') expect(packages.has('protobufjs')).toBe(true);
    }
  });

  it('vcr info loads none of the heavy packages', async () => {
    const { trace } = traceFile();
    const { result, packages } = await packagesLoaded(['info', trace]);
    expect(result.code).toBe(0);
    expect(heavyAmong(packages)).toEqual([]);
  });

  it('vcr report loads vega and vega-lite only to write --html', async () => {
    const { dir, trace } = traceFile();
    for (const extra of [[], ['--json'], ['--md']]) {
      const { result, packages } = await packagesLoaded(['report', 'latency', trace, ...extra]);
      expect(result.stderr, extra.join(' ')).toBe('');
      expect(result.code, extra.join(' ')).toBe(0);
      expect(result.stdout, extra.join(' ')).toContain(extra[0] === '--json' ? '"vcr.report.latency/1"' : 'TTFT');
      expect(heavyAmong(packages), extra.join(' ')).toEqual([]);
    }
    const html = join(dir, 'latency.html');
    const { result, packages } = await packagesLoaded(['report', 'latency', trace, '--html', html]);
    expect(result.code).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('<svg');
    expect(heavyAmong(packages)).toEqual(['vega', 'vega-lite']);
  });
});
