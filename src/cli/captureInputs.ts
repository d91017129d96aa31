import type { Command } from 'commander';

/** Flags shared by every command that reads one capture: the engine trace plus its optional side streams. */
export interface CaptureInputFlags {
  stepStats?: string;
  otlp?: string;
  lenient?: boolean;
}

export function withCaptureInputs(command: Command): Command {
  return command
    .option('--step-stats <file>', 'step-stats sidecar (trace-step-stats.jsonl[.gz]) on the same clock')
    .option('--otlp <file>', 'vLLM OpenTelemetry export (collector file exporter: OTLP/JSON lines[.gz], or its proto / zstd encodings)')
    .option('--lenient', 'skip bad lines (prints how many and the first reasons) instead of failing');
}

export const CAPTURE_ARGUMENT_HELP = `
CAPTURE is one capture: a directory holding its files (as \`vcr gen\` writes
them: trace.jsonl, trace-step-stats.jsonl, otlp.jsonl, optionally .gz; an OTLP
export may also be *.pb or *.zst), or the files themselves in any order (each
kind detected from its content), or both; --step-stats / --otlp add files
explicitly. At most one file of each kind.`;
