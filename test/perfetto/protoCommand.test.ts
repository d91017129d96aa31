import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultOutputPath, registerProto } from '../../src/cli/commands/proto.js';
import { ProtoTraceSink } from '../../src/perfetto/protoSink.js';
import { writePerfettoTrace } from '../../src/perfetto/writeTrace.js';
import { decodePerfetto } from '../helpers/decodePerfetto.js';
import { handCapture, stepLine, useTempDir, writeLines } from './fixtures.js';

const REQUESTS = [
  { prompt_tokens: 8, output_tokens: 3, ttft_ms: 4, itl_ms: [1, 2], arrival_ms: 0 },
  { prompt_tokens: 9, output_tokens: 2, ttft_ms: 3, itl_ms: [1], arrival_ms: 1 },
];

/** Runs `vcr proto ARGS` in-process; returns what it wrote to stdout and stderr and the exit code it set. */
async function run(args: string[]): Promise<{ stdout: Buffer; stderr: string; exitCode: number }> {
  const program = new Command('vcr').exitOverride();
  registerProto(program);
  const stdout: Buffer[] = [];
  const stderr: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(Buffer.from(chunk));
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  let exitCode = 0;
  try {
    await program.parseAsync(['node', 'vcr', 'proto', ...args]);
    exitCode = Number(process.exitCode ?? 0);
  } catch (error) {
    exitCode = (error as { exitCode?: number }).exitCode ?? -1;
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = 0;
  }
  return { stdout: Buffer.concat(stdout), stderr: stderr.join(''), exitCode };
}

describe('vcr proto', () => {
  const dir = useTempDir();
  afterEach(() => {
    process.exitCode = 0;
  });

  it('writes the trace and prints the summary line on stderr', async () => {
    const trace = writeLines(dir, 'ok.jsonl', [{ meta: { model: 'm' } }, ...REQUESTS]);
    const steps = writeLines(dir, 'ok-steps.jsonl', [stepLine(0, 0, 2), stepLine(4, 2, 0, { requests: 2, queries: 17 }), stepLine(5, 2, 0), stepLine(6, 1, 0)]);
    const output = join(dir, 'ok.pftrace');
    const { stderr, exitCode } = await run([trace, '-o', output, '--step-stats', steps]);
    expect(exitCode).toBe(0);
    expect(stderr).toMatch(/^vcr proto: wrote .*ok\.pftrace \(proto, [\d,]+ bytes\): 2 requests placed, 0 dropped \(no arrival_ms\), 2 lanes, 8 slices, \d+ counter samples, 2 flows\n$/);
    const decoded = decodePerfetto(readFileSync(output));
    expect(decoded.problems).toEqual([]);
    expect(decoded.flows.length).toBe(2);
  });

  it('writes to stdout with -o -', async () => {
    const trace = writeLines(dir, 'stdout.jsonl', REQUESTS);
    const { stdout, stderr, exitCode } = await run([trace, '-o', '-']);
    expect(exitCode).toBe(0);
    expect(stderr).toContain('wrote stdout');
    expect(decodePerfetto(stdout).slices.map((s) => s.name)).toEqual(['req0 prefill', 'req1 prefill', 'decode', 'decode', 'decode']);
    const json = await run([trace, '-o', '-', '--format', 'json']);
    expect(JSON.parse(json.stdout.toString('utf8')).traceEvents.length).toBeGreaterThan(0);
  });

  it('leaves no output file behind when an input line is bad (exit 1, PATH:LINE)', async () => {
    const trace = writeLines(dir, 'bad.jsonl', [REQUESTS[0], { prompt_tokens: 1, output_tokens: 2, ttft_ms: 1 }]);
    const output = join(dir, 'bad.pftrace');
    const { stderr, exitCode } = await run([trace, '-o', output]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/^vcr: .*bad\.jsonl:2: /);
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.includes('bad.pftrace'))).toEqual([]);
  });

  it('skips the bad line with --lenient', async () => {
    const trace = writeLines(dir, 'lenient.jsonl', [REQUESTS[0], '{"prompt_tokens": oops', REQUESTS[1]]);
    const output = join(dir, 'lenient.pftrace');
    const { stderr, exitCode } = await run([trace, '-o', output, '--lenient']);
    expect(exitCode).toBe(0);
    expect(stderr).toContain('skipped 1 bad line');
    expect(existsSync(output)).toBe(true);
  });

  it('removes the partial file when writing fails half-way', async () => {
    const capture = await handCapture(dir, { requests: REQUESTS });
    const output = join(dir, 'fails.pftrace');
    const failing = vi.spyOn(ProtoTraceSink.prototype, 'finish').mockRejectedValue(new Error('disk full'));
    try {
      await expect(writePerfettoTrace(capture, output, { format: 'proto' })).rejects.toThrow('disk full');
    } finally {
      failing.mockRestore();
    }
    expect(readdirSync(dir).filter((name) => name.includes('fails.pftrace'))).toEqual([]);
  });

  it('takes a capture directory like the other commands: every stream in it, output named after it', async () => {
    const capture = join(dir, 'run-7');
    mkdirSync(capture);
    writeLines(capture, 'trace.jsonl', [{ meta: { model: 'm' } }, ...REQUESTS]);
    writeLines(capture, 'trace-step-stats.jsonl', [stepLine(0, 0, 2), stepLine(4, 2, 0, { requests: 2, queries: 17 }), stepLine(5, 2, 0), stepLine(6, 1, 0)]);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { stderr, exitCode } = await run([capture]);
      expect(exitCode).toBe(0);
      expect(stderr).toMatch(/^vcr proto: wrote run-7\.pftrace .*, 2 flows\n$/);
    } finally {
      process.chdir(cwd);
    }
    const decoded = decodePerfetto(readFileSync(join(dir, 'run-7.pftrace')));
    expect(decoded.problems).toEqual([]);
    expect(decoded.slices.filter((s) => s.category === 'step').length).toBe(3);
    // Two captures' worth of files is a usage error, as for vcr info.
    const other = writeLines(dir, 'other.jsonl', REQUESTS);
    expect((await run([capture, other])).exitCode).toBe(2);
  });

  it('rejects flag combinations that cannot work (exit 2)', async () => {
    const trace = writeLines(dir, 'usage.jsonl', REQUESTS);
    expect((await run([trace, '--port', '8080'])).exitCode).toBe(2);
    expect((await run([trace, '--open', '-o', '-'])).exitCode).toBe(2);
    expect((await run([trace, '-o', trace])).exitCode).toBe(2);
    expect((await run([trace, '--format', 'xml'])).exitCode).not.toBe(0);
    expect((await run([trace, '--open', '--port', '70000'])).exitCode).not.toBe(0);
  });

  it("defaults the output to the input's basename with .pftrace (or .json) in the current directory", () => {
    expect(defaultOutputPath('runs/a/trace.jsonl.gz', 'proto')).toBe('trace.pftrace');
    expect(defaultOutputPath('trace.jsonl', 'json')).toBe('trace.json');
    expect(defaultOutputPath('/x/capture', 'proto')).toBe('capture.pftrace');
  });

  it('documents every flag in --help', () => {
    const program = new Command('vcr');
    registerProto(program);
    const help = program.commands.find((c) => c.name() === 'proto')?.helpInformation() ?? '';
    for (const flag of ['-o, --output', '--step-stats', '--otlp', '--name', '--track-per-request', '--format', '--open', '--port', '--lenient']) {
      expect(help).toContain(flag);
    }
  });
});
