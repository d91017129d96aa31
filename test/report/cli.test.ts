/**
 * `vcr report latency|calibrate|fidelity` as src/cli/commands/report.ts
 * wires them, run in-process: flags, output forms, files written, and exit
 * codes (0 ok, 1 failed check, 2 usage).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerReport } from '../../src/cli/commands/report.js';
import { EXIT_USAGE } from '../../src/cli/run.js';
import { generate, useTempDirs, type GeneratedFiles } from './fixtures.js';

const tempDir = useTempDirs();
let capture: GeneratedFiles;
let slower: GeneratedFiles;

beforeAll(async () => {
  capture = await generate(tempDir(), { requests: 120, seed: 9 });
  slower = await generate(tempDir(), { requests: 120, seed: 9, beta0: 9000 });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `vcr report ARGS` in-process, with main.ts's mapping of commander's own errors to exit 2. */
async function vcrReport(args: string[]): Promise<Run> {
  const program = new Command('vcr').exitOverride();
  registerReport(program);
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  let code: number;
  try {
    await program.parseAsync(['report', ...args], { from: 'user' });
    code = Number(process.exitCode ?? 0);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = EXIT_USAGE;
  } finally {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}

afterEach(() => vi.restoreAllMocks());

describe('vcr report latency', () => {
  it('--json prints the documented schema', async () => {
    const run = await vcrReport(['latency', capture.trace, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.schema).toBe('vcr.report.latency/1');
    expect(report.overall.requests).toBe(120);
  });

  it('reads a capture directory; --md prints Markdown', async () => {
    const run = await vcrReport(['latency', capture.dir, '--md']);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith('# Latency report\n')).toBe(true);
    expect(run.stdout).toContain('queue wait (journey)');
  });

  it('--html writes the page and still prints the plain table (no colour when not a TTY)', async () => {
    const html = join(tempDir(), 'latency.html');
    const run = await vcrReport(['latency', capture.trace, '--html', html]);
    expect(run.code).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('<svg');
    expect(run.stdout).toContain('Latency report');
    // eslint-disable-next-line no-control-regex
    expect(run.stdout).not.toMatch(/\x1b\[/);
    expect(run.stderr).toBe(`vcr: wrote ${html}\n`);
  });

  it('rejects --json with --md and bad --buckets as usage errors', async () => {
    const both = await vcrReport(['latency', capture.trace, '--json', '--md']);
    expect(both).toMatchObject({ code: 2, stdout: '', stderr: 'vcr: --json and --md are exclusive\n' });
    expect((await vcrReport(['latency', capture.trace, '--buckets', '8,4'])).code).toBe(2);
  });

  it('--buckets sets the bucket edges', async () => {
    const report = JSON.parse((await vcrReport(['latency', capture.trace, '--json', '--buckets', '2,8'])).stdout);
    expect(report.buckets.edges).toEqual([2, 8]);
  });
});

describe('vcr report calibrate', () => {
  it('passes a capture against itself (exit 0)', async () => {
    const run = await vcrReport(['calibrate', capture.trace, capture.dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('PASS: all');
  });

  it('fails a slower replay with exit 1 after printing the report, and dumps samples', async () => {
    const dump = join(tempDir(), 'samples.json');
    const run = await vcrReport(['calibrate', capture.trace, slower.trace, '--dump-samples', dump]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL:');
    expect(run.stderr).toMatch(/vcr: calibration failed: \d+ of \d+ gated relative errors exceed ±10\.0%\n$/);
    expect(JSON.parse(readFileSync(dump, 'utf8')).source.ttft).toHaveLength(120);
  });

  it('--tolerance takes a fraction or a percentage; garbage is a usage error', async () => {
    expect((await vcrReport(['calibrate', capture.trace, slower.trace, '--tolerance', '500%'])).code).toBe(0);
    const json = JSON.parse((await vcrReport(['calibrate', capture.trace, slower.trace, '--tolerance', '0.02', '--json'])).stdout);
    expect(json.tolerance).toBe(0.02);
    expect((await vcrReport(['calibrate', capture.trace, slower.trace, '--tolerance', 'lots'])).code).toBe(2);
    expect((await vcrReport(['calibrate', capture.trace, slower.trace, '--min-bucket-requests', '0'])).code).toBe(2);
  });
});

describe('vcr report fidelity', () => {
  it('needs steps: a trace alone is a usage error', async () => {
    const run = await vcrReport(['fidelity', capture.trace]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the fidelity report needs scheduler steps');
  });

  it('runs on a capture directory and with --step-stats', async () => {
    expect((await vcrReport(['fidelity', capture.dir])).stdout).toContain('Trust the step view (the step-stats sidecar)');
    const html = join(tempDir(), 'fidelity.html');
    const run = await vcrReport(['fidelity', capture.trace, '--step-stats', capture.stepStats, '--json', '--html', html]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).schema).toBe('vcr.report.fidelity/1');
    expect(existsSync(html)).toBe(true);
  });
});
