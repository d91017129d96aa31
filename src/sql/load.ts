/**
 * `vcr load`: input files → captures (grouping.ts) → the normalized model
 * (loadCapture, the same records every other sink reads) → Arrow tables →
 * DuckDB. One transaction covers the whole invocation, so a bad input file,
 * a failed append or an interrupted load leaves the database as it was.
 */
import { loadCapture, type CaptureSources } from '../capture/load.js';
import { detectInputKind, type InputKind } from '../ingest/detect.js';
import type { WarningSink } from '../ingest/errors.js';
import { captureArrowTable } from './arrow/captureTables.js';
import { insertArrowTable } from './duckdb/insertArrow.js';
import { ensureSchema, type VcrDatabase } from './database.js';
import { groupCaptureFiles, type InputFile } from './grouping.js';
import { identifyCapture, type CaptureIdentity } from './identity.js';
import { TABLES, TABLE_NAMES, type TableName } from './schema.js';

export interface LoadFilesOptions {
  /** Every file's kind, instead of detecting each from its first lines. */
  kind?: InputKind;
  /** Replace captures with the same content or loaded from the same primary file, instead of skipping duplicates. */
  replace?: boolean;
  /** Skip bad input lines (counted and reported through `warn`) instead of failing. */
  lenient?: boolean;
  warn?: WarningSink;
}

export type LoadStatus = 'loaded' | 'replaced' | 'duplicate';

export interface LoadedCapture {
  captureId: number;
  status: LoadStatus;
  sources: CaptureSources;
  contentHash: string;
  /** Rows appended per table; all 0 for a duplicate. */
  rows: Record<TableName, number>;
}

function noRows(): Record<TableName, number> {
  return Object.fromEntries(TABLE_NAMES.map((name) => [name, 0])) as Record<TableName, number>;
}

/** The file that names a capture for --replace: its trace, else its OTLP file, else its sidecar. */
function primaryPath(sources: CaptureSources): string {
  return (sources.trace ?? sources.otlp ?? sources.stepStats)!;
}

/** Each file's kind: `kind` for all, else detected from its first lines. */
async function classifyFiles(files: readonly string[], kind: InputKind | undefined): Promise<InputFile[]> {
  const classified: InputFile[] = [];
  for (const path of files) classified.push({ path, kind: kind ?? (await detectInputKind(path)) });
  return classified;
}

async function capturesMatching(db: VcrDatabase, identity: CaptureIdentity, byPath: boolean): Promise<number[]> {
  const reader = await db.connection.runAndReadAll(
    byPath
      ? 'SELECT capture_id FROM captures WHERE content_hash = $hash OR coalesce(trace_path, otlp_path, step_stats_path) = $path ORDER BY capture_id'
      : 'SELECT capture_id FROM captures WHERE content_hash = $hash ORDER BY capture_id',
    byPath ? { hash: identity.contentHash, path: primaryPath(identity.sources) } : { hash: identity.contentHash },
  );
  return reader.getRowsJS().map(([id]) => id as number);
}

async function deleteCaptures(db: VcrDatabase, ids: readonly number[]): Promise<void> {
  const list = ids.join(', ');
  for (const name of TABLE_NAMES) await db.connection.run(`DELETE FROM ${name} WHERE capture_id IN (${list})`);
}

async function nextCaptureId(db: VcrDatabase): Promise<number> {
  const reader = await db.connection.runAndReadAll('SELECT coalesce(max(capture_id), 0) + 1 FROM captures');
  return reader.getRowsJS()[0][0] as number;
}

async function loadOne(db: VcrDatabase, sources: CaptureSources, options: LoadFilesOptions): Promise<LoadedCapture> {
  const identity = await identifyCapture(sources);
  const matches = await capturesMatching(db, identity, options.replace ?? false);
  const base = { sources, contentHash: identity.contentHash };
  if (matches.length > 0 && !options.replace) return { ...base, captureId: matches[0], status: 'duplicate', rows: noRows() };

  // Parse before touching the tables: most bad input fails here.
  const capture = await loadCapture(sources, { lenient: options.lenient, warn: options.warn });
  let captureId: number;
  if (matches.length > 0) {
    await deleteCaptures(db, matches);
    captureId = matches[0];
  } else {
    captureId = await nextCaptureId(db);
  }
  const loadedAt = new Date();
  const rows = noRows();
  // One table at a time, so only one table's Arrow columns exist beside the capture.
  for (const name of TABLE_NAMES) {
    const table = captureArrowTable(name, capture, captureId, identity, loadedAt);
    await insertArrowTable(db.connection, TABLES[name], table);
    rows[name] = table.numRows;
  }
  return { ...base, captureId, status: matches.length > 0 ? 'replaced' : 'loaded', rows };
}

/**
 * Loads `files` (engine traces, step-stats sidecars, OTLP exports, grouped
 * into captures by grouping.ts) into `db`, all or nothing.
 */
export async function loadFiles(db: VcrDatabase, files: readonly string[], options: LoadFilesOptions = {}): Promise<LoadedCapture[]> {
  const groups = groupCaptureFiles(await classifyFiles(files, options.kind));
  await db.connection.run('BEGIN TRANSACTION');
  try {
    await ensureSchema(db, { replaceViews: true });
    const loaded: LoadedCapture[] = [];
    for (const sources of groups) loaded.push(await loadOne(db, sources, options));
    await db.connection.run('COMMIT');
    return loaded;
  } catch (error) {
    try {
      await db.connection.run('ROLLBACK');
    } catch {
      // A failed COMMIT has already ended the transaction; the original error is the one to report.
    }
    throw error;
  }
}
