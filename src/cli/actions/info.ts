import { renderCaptureSummary, summarizeCapture } from '../../capture/summary.js';
import type { InfoFlags } from '../commands/info.js';
import { loadCaptureFromArgs } from './captureSources.js';

/** `vcr info` (options: commands/info.ts). */
export async function runInfo(captureArgs: string[], flags: InfoFlags): Promise<void> {
  const summary = summarizeCapture(await loadCaptureFromArgs(captureArgs, flags));
  process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : `${renderCaptureSummary(summary)}\n`);
}
