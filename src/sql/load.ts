/**
 * `vcr load`: input files → captures (grouping.ts) → the normalized model
 * (the same records every other sink reads; request columns in memory, each
 * request's gaps and lists spilled to a temporary file, capture/spill/) →
 * Arrow batches → DuckDB. Memory stays bounded by the request count and one
 * batch, however many gaps the capture has. One transaction covers the whole
 * invocation, so a bad input file, a failed append or an interrupted load
 * leaves the database as it was.
 */
import type { CaptureSources } from '../capture/load.js';
import { withSpilledCapture } from '../capture/spill/spilledCapture.js';
import { NO_PROGRESS, type Progress } from '../util/progress.js';
import { detectInputKind, type InputKind } from '../ingest/detect.js';
import type { WarningSink } from '../ingest/errors.js';
import { captureArrowBatches } from './arrow/captureTables.js';
import { insertArrowTable } from './duckdb/insertArrow.js';
import { ensureSchema, IN_MEMORY, type VcrDatabase } from './database.js';
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
  /** Told how far reading and inserting got. */
  progress?: Progress;
  /** Threads reading a large engine trace (SpillOptions.readThreads; needs the built module); default 1. */
  readThreads?: number;
}

/**
 * DuckDB's buffer pool during a load into a file database. Left at its
 * default (80% of RAM) it keeps every block a large load writes, so the
 * process grows with the capture (1.33 GB peak RSS at 10M gaps); with a cap
 * it evicts them to the file (51M gaps: 860 MB at 256 MB, 717 MB at 128 MB,
 * same load time). An in-memory database cannot evict its tables, so it
 * keeps the default.
 */
const LOAD_MEMORY_LIMIT = '128MB';

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

  const progress = options.progress ?? NO_PROGRESS;
  // Parse before touching the tables: most bad input fails here.
  return withSpilledCapture(sources, { lenient: options.lenient, warn: options.warn, progress, readThreads: options.readThreads }, async (capture) => {
    let captureId: number;
    if (matches.length > 0) {
      await deleteCaptures(db, matches);
      captureId = matches[0];
    } else {
      captureId = await nextCaptureId(db);
    }
    const rows = noRows();
    progress.phase('inserting', 'rows', capture.stats.requests + capture.stats.gaps + capture.steps.count);
    let inserted = 0;
    // One batch at a time, so only one batch's Arrow columns exist beside the request columns.
    for (const batch of captureArrowBatches(capture, captureId, identity, new Date())) {
      await insertArrowTable(db.connection, TABLES[batch.table], batch.rows);
      rows[batch.table] += batch.rows.numRows;
      inserted += batch.rows.numRows;
      progress.update(inserted);
    }
    return { ...base, captureId, status: matches.length > 0 ? 'replaced' : 'loaded', rows };
  });
}

/**
 * Loads `files` (engine traces, step-stats sidecars, OTLP exports, grouped
 * into captures by grouping.ts) into `db`, all or nothing.
 */
export async function loadFiles(db: VcrDatabase, files: readonly string[], options: LoadFilesOptions = {}): Promise<LoadedCapture[]> {
  const groups = groupCaptureFiles(await classifyFiles(files, options.kind));
  const capMemory = db.path !== IN_MEMORY;
  if (capMemory) await db.connection.run(`SET memory_limit = '${LOAD_MEMORY_LIMIT}'`);
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
  } finally {
    if (capMemory) await db.connection.run('RESET memory_limit');
  }
}
