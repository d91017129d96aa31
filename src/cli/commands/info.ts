import type { Command } from 'commander';
import { action } from '../run.js';
import { CAPTURE_ARGUMENT_HELP, loadCaptureFromArgs, withCaptureInputs, type CaptureInputFlags } from '../captureInputs.js';
import { renderCaptureSummary, summarizeCapture } from '../../capture/summary.js';

export function registerInfo(program: Command): void {
  withCaptureInputs(
    program
      .command('info')
      .argument('<capture...>', 'capture directory and/or capture files (see below)')
      .description('validate a capture and print its headline numbers (requests, gaps, concurrency, TTFT/ITL, steps)')
      .option('--json', 'print the summary as JSON')
      .addHelpText('after', CAPTURE_ARGUMENT_HELP),
  ).action(
    action(async (captureArgs: string[], flags: CaptureInputFlags & { json?: boolean }) => {
      const summary = summarizeCapture(await loadCaptureFromArgs(captureArgs, flags));
      process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : `${renderCaptureSummary(summary)}\n`);
    }),
  );
}
