/**
 * Which files of one `vcr load` (or `vcr sql -t`) invocation belong
 * together. A capture is at most one engine trace plus the step-stats
 * sidecar and the OTLP export recorded beside it:
 *
 * 1. every engine trace starts a capture;
 * 2. a sidecar or OTLP file joins the trace in its own directory; when that
 *    directory holds several traces, the one whose name (before `.jsonl`)
 *    is the longest prefix of the file's name (`run1.jsonl` ←
 *    `run1-step-stats.jsonl`); when its directory holds none and the
 *    invocation has exactly one trace, that trace;
 * 3. without any trace in the invocation, sidecar and OTLP files form one
 *    capture per directory;
 * 4. a capture holds at most one file of each kind.
 *
 * So giving every .jsonl file of several run directories at once loads one
 * capture per directory. Anything these rules cannot place is a usage error
 * naming the file.
 */
import { basename, dirname, resolve } from 'node:path';
import type { CaptureSources } from '../capture/load.js';
import type { InputKind } from '../ingest/detect.js';
import { UsageError } from '../cli/errors.js';

export interface InputFile {
  path: string;
  kind: InputKind;
}

const SOURCE_KEY = { trace: 'trace', 'step-stats': 'stepStats', otlp: 'otlp' } as const satisfies Record<InputKind, keyof CaptureSources>;

/** `run1-step-stats.jsonl.gz` → `run1-step-stats`. */
function stem(path: string): string {
  return basename(path).replace(/\.gz$/, '').replace(/\.[^.]*$/, '');
}

function attach(capture: CaptureSources, file: InputFile): void {
  const key = SOURCE_KEY[file.kind];
  const present = capture[key];
  if (present !== undefined) {
    throw new UsageError(`${file.path}: its capture already has a ${file.kind} file (${present}); load them in separate invocations`);
  }
  capture[key] = file.path;
}

function ownerTrace(file: InputFile, traces: readonly string[]): string | undefined {
  const here = traces.filter((trace) => dirname(trace) === dirname(file.path));
  if (here.length === 0) return traces.length === 1 ? traces[0] : undefined;
  if (here.length === 1) return here[0];
  const name = stem(file.path);
  const prefixed = here.filter((trace) => name.startsWith(stem(trace))).sort((a, b) => stem(b).length - stem(a).length);
  if (prefixed.length === 0 || (prefixed.length > 1 && stem(prefixed[0]) === stem(prefixed[1]))) return undefined;
  return prefixed[0];
}

/** Groups classified files into captures (absolute paths, in the order their first file was given). */
export function groupCaptureFiles(files: readonly InputFile[]): CaptureSources[] {
  const unique = new Map<string, InputFile>();
  for (const file of files) {
    const path = resolve(file.path);
    if (!unique.has(path)) unique.set(path, { path, kind: file.kind });
  }
  const all = [...unique.values()];
  const traces = all.filter((file) => file.kind === 'trace').map((file) => file.path);
  const captures = new Map<string, CaptureSources>(traces.map((trace) => [trace, { trace }]));
  const byDirectory = new Map<string, CaptureSources>();

  for (const file of all) {
    if (file.kind === 'trace') continue;
    if (traces.length === 0) {
      const dir = dirname(file.path);
      if (!byDirectory.has(dir)) byDirectory.set(dir, {});
      attach(byDirectory.get(dir)!, file);
      continue;
    }
    const owner = ownerTrace(file, traces);
    if (owner === undefined) {
      throw new UsageError(`${file.path}: cannot tell which engine trace this ${file.kind} file belongs to; load it with its trace alone`);
    }
    attach(captures.get(owner)!, file);
  }
  return traces.length > 0 ? [...captures.values()] : [...byDirectory.values()];
}
