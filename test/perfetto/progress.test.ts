import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { terminalProgress } from '../../src/cli/progress.js';
import { NO_PROGRESS } from '../../src/util/progress.js';
import { runVcr } from '../helpers/cli.js';
import { useTempDir, writeLines } from './fixtures.js';

/** A stream that records what is written, posing as a terminal or not. */
function fakeStderr(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 100 }) as unknown as NodeJS.WriteStream;
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stream, text: () => chunks.join('') };
}

function drive(progress: ReturnType<typeof terminalProgress>): void {
  progress.phase('reading trace.jsonl', 'records');
  for (let done = 1; done <= 5; done++) progress.update(done * 1000);
  progress.phase('writing trace.pftrace', 'events', 10);
  progress.update(5);
  progress.stop();
}

describe('progress bar', () => {
  const dir = useTempDir();

  it('is nothing at all when stderr is not a terminal', () => {
    const stderr = fakeStderr(false);
    const progress = terminalProgress({ stream: stderr.stream, delayMs: 0 });
    expect(progress).toBe(NO_PROGRESS);
    drive(progress);
    expect(stderr.text()).toBe('');
  });

  it('shows the phase, the count and the rate on a terminal, and clears itself', () => {
    const stderr = fakeStderr(true);
    drive(terminalProgress({ stream: stderr.stream, delayMs: 0 }));
    const text = stderr.text();
    expect(text).toMatch(/reading trace\.jsonl 1,000 records \| [\d,]+ records\/s/);
    expect(text).toMatch(/writing trace\.pftrace \[.*\] 50% \| 5 events/);
  });

  it('stays hidden while the work is shorter than the delay', () => {
    const stderr = fakeStderr(true);
    drive(terminalProgress({ stream: stderr.stream, delayMs: 60_000 }));
    expect(stderr.text()).toBe('');
  });

  it('never reaches a non-terminal stderr from vcr proto', async () => {
    const trace = writeLines(dir, 'trace.jsonl', [{ prompt_tokens: 8, output_tokens: 3, ttft_ms: 4, itl_ms: [1, 2], arrival_ms: 0 }]);
    const result = await runVcr(['proto', trace, '-o', `${dir}/out.pftrace`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^vcr proto: wrote [^\n]*\n$/);
    // Neither cli-progress's bar glyphs nor any terminal control sequence.
    for (const mark of ['\u2588', '\u2591', '\u001b']) expect(result.stderr).not.toContain(mark);
  });
});
