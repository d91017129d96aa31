import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCapture, type CaptureSources } from '../../capture/load.js';
import type { Capture } from '../../capture/model.js';
import { detectInputKind } from '../../ingest/detect.js';
import { groupCaptureFiles, type InputFile } from '../../sql/grouping.js';
import type { CaptureInputFlags } from '../captureInputs.js';
import { UsageError } from '../errors.js';

/** Loads the one capture that CAPTURE arguments plus --step-stats / --otlp describe. */
export async function loadCaptureFromArgs(args: readonly string[], flags: CaptureInputFlags): Promise<Capture> {
  return loadCapture(await captureSourcesFromArgs(args, flags), { lenient: flags.lenient });
}

/**
 * A capture file name in a directory: JSON lines, plain or gzip, or an OTLP
 * export in the collector's other encodings (protobuf `.pb`, plain or gzip;
 * zstd `.zst`). Every file found is then told apart by content.
 */
const CAPTURE_FILE = /\.(jsonl?(\.gz|\.zst)?|pb(\.gz|\.zst)?|zst)$/i;

/**
 * CAPTURE arguments (directories and/or files) plus --step-stats / --otlp →
 * the one capture they describe. Kinds are sniffed from content
 * (ingest/detect.ts) and grouped with the same rules as `vcr load`.
 */
export async function captureSourcesFromArgs(args: readonly string[], flags: Pick<CaptureInputFlags, 'stepStats' | 'otlp'>): Promise<CaptureSources> {
  const files: InputFile[] = [];
  for (const arg of args) {
    const info = await stat(arg);
    if (info.isDirectory()) {
      const names = (await readdir(arg)).filter((name) => CAPTURE_FILE.test(name) && !name.startsWith('.')).sort();
      if (names.length === 0) throw new UsageError(`${arg}: the directory holds no capture files (*.jsonl[.gz], *.pb, *.zst)`);
      for (const name of names) files.push({ path: join(arg, name), kind: await detectInputKind(join(arg, name)) });
    } else {
      files.push({ path: arg, kind: await detectInputKind(arg) });
    }
  }
  if (flags.stepStats) files.push({ path: flags.stepStats, kind: 'step-stats' });
  if (flags.otlp) files.push({ path: flags.otlp, kind: 'otlp' });
  const captures = groupCaptureFiles(files);
  if (captures.length !== 1) {
    throw new UsageError(`the arguments describe ${captures.length} captures; give one capture (one directory, or its files)`);
  }
  return captures[0];
}
