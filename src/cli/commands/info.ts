import type { Command } from 'commander';
import { action } from '../run.js';
import { loadCaptureFromFlags, withCaptureInputs, type CaptureInputFlags } from '../captureInputs.js';
import { renderCaptureSummary, summarizeCapture } from '../../capture/summary.js';

export function registerInfo(program: Command): void {
  withCaptureInputs(
    program
      .command('info')
      .argument('<trace>', 'engine trace (trace.jsonl[.gz])')
      .description('validate a capture and print its headline numbers (requests, gaps, concurrency, TTFT/ITL, steps)')
      .option('--json', 'print the summary as JSON'),
  ).action(
    action(async (trace: string, flags: CaptureInputFlags & { json?: boolean }) => {
      const summary = summarizeCapture(await loadCaptureFromFlags(trace, flags));
      process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : `${renderCaptureSummary(summary)}\n`);
    }),
  );
}
