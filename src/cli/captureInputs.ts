import type { Command } from 'commander';
import { loadCapture } from '../capture/load.js';
import type { Capture } from '../capture/model.js';

/** Flags shared by every command that reads one capture: the engine trace plus its optional side streams. */
export interface CaptureInputFlags {
  stepStats?: string;
  otlp?: string;
  lenient?: boolean;
}

export function withCaptureInputs(command: Command): Command {
  return command
    .option('--step-stats <file>', 'step-stats sidecar (trace-step-stats.jsonl[.gz]) on the same clock')
    .option('--otlp <file>', 'vLLM OpenTelemetry export (collector file exporter, OTLP/JSON lines[.gz])')
    .option('--lenient', 'skip bad lines (prints how many and the first reasons) instead of failing');
}

export function loadCaptureFromFlags(trace: string | undefined, flags: CaptureInputFlags): Promise<Capture> {
  return loadCapture({ trace, stepStats: flags.stepStats, otlp: flags.otlp }, { lenient: flags.lenient });
}
