import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { registerGen } from '../../src/cli/commands/gen.js';

const root = mkdtempSync(join(tmpdir(), 'vcr-gen-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** Runs `vcr gen ARGS` in-process; returns what it printed and what commander threw. */
async function run(args: string[]): Promise<{ stdout: string; stderr: string; error?: unknown }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const program = new Command('vcr')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  registerGen(program);
  try {
    await program.parseAsync(['node', 'vcr', 'gen', ...args]);
  } catch (error) {
    return { stdout, stderr, error };
  }
  return { stdout, stderr };
}

describe('vcr gen', () => {
  it('writes a capture and prints a summary', async () => {
    const dir = join(root, 'out');
    const { stdout } = await run(['-o', dir, '--requests', '30', '--seed', '4', '--scenario', 'closed', '--concurrency', '4']);
    expect(process.exitCode).toBeUndefined();
    expect(stdout).toMatch(/^closed: 30 requests \(0 aborted\), \d+ inter-token gaps, \d+ steps, 0 preemptions/);
    expect(stdout).toMatch(/prefix-cache hit rate 0\.0% of prompt tokens; capture length [\d.]+ s/);
    for (const name of ['trace.jsonl', 'trace-step-stats.jsonl', 'otlp.jsonl']) {
      expect(existsSync(join(dir, name))).toBe(true);
      expect(stdout).toContain(name);
    }
  });

  it('turns impossible option combinations into usage errors (exit 2) without writing files', async () => {
    const dir = join(root, 'bad');
    const { stderr } = await run(['-o', dir, '--kv-blocks', '3']);
    expect(process.exitCode).toBe(2);
    expect(stderr).toMatch(/^vcr: --kv-blocks \(3\) cannot hold the longest possible request/);
    expect(existsSync(dir)).toBe(false);
    process.exitCode = undefined;
    await run(['-o', dir, '--requests', '5', '--duration', '3']);
    expect(process.exitCode).toBe(2);
  });

  it('rejects malformed numbers and unknown scenarios through commander', async () => {
    expect((await run(['--rate', 'fast'])).error).toBeInstanceOf(CommanderError);
    expect((await run(['--requests', '2.5'])).stderr).toMatch(/expected an integer/);
    expect((await run(['--scenario', 'storm'])).stderr).toMatch(/Allowed choices are poisson, burst, closed, multiturn, sweep/);
  });

  it('documents every flag with its default in --help', async () => {
    const { stdout: help, error } = await run(['--help']);
    expect((error as CommanderError).code).toBe('commander.helpDisplayed');
    for (const flag of [
      '--scenario',
      '--requests',
      '--duration',
      '--rate',
      '--concurrency',
      '--seed',
      '--max-num-seqs',
      '--max-num-batched-tokens',
      '--kv-blocks',
      '--block-size',
      '--spec-k',
      '--spec-accept',
      '--beta0',
      '--beta3',
      '--noise',
      '--alpha2',
      '--step-sample',
      '--snapshot-sample',
      '--gzip',
      '--out',
      '--model',
      '--gpu',
    ]) {
      expect(help).toContain(flag);
    }
    expect(help).toContain('(default: 2048)');
    expect(help).toContain('(default: 6000)');
    expect(help).toContain('docs/generator.md');
  });
});
