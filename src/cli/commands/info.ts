import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { CAPTURE_ARGUMENT_HELP, withCaptureInputs, type CaptureInputFlags } from '../captureInputs.js';

export type InfoFlags = CaptureInputFlags & { json?: boolean };

export function registerInfo(program: Command): void {
  withCaptureInputs(
    program
      .command('info')
      .argument('<capture...>', 'capture directory and/or capture files (see below)')
      .description('validate a capture and print its headline numbers (requests, gaps, concurrency, TTFT/ITL, steps)')
      .option('--json', 'print the summary as JSON')
      .addHelpText('after', CAPTURE_ARGUMENT_HELP),
  ).action(lazyAction(async () => (await import('../actions/info.js')).runInfo));
}
