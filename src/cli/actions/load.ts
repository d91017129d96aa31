import { relative } from 'node:path';
import { openDatabase } from '../../sql/database.js';
import { loadFiles, type LoadedCapture } from '../../sql/load.js';
import { TABLE_NAMES, type TableName } from '../../sql/schema.js';
import type { LoadFlags } from '../commands/load.js';
import { jobsOrDefault } from '../jobs.js';
import { terminalProgress } from '../progress.js';

/** What one row of each table is, for the summary line. */
const ROW_NOUNS: Record<TableName, string> = {
  captures: 'captures',
  requests: 'requests',
  gaps: 'gaps',
  steps: 'steps',
  step_summaries: 'step summaries',
  journey: 'journey events',
  snapshots: 'snapshots',
};

function describe(loaded: LoadedCapture): string {
  const files = [loaded.sources.trace, loaded.sources.stepStats, loaded.sources.otlp]
    .filter((path): path is string => path !== undefined)
    .map((path) => relative(process.cwd(), path) || path)
    .join(' + ');
  if (loaded.status === 'duplicate') return `capture ${loaded.captureId}: already loaded, skipped (same content; --replace reloads)  ${files}`;
  const rows = TABLE_NAMES.filter((name) => name !== 'captures' && loaded.rows[name] > 0)
    .map((name) => `${loaded.rows[name]} ${ROW_NOUNS[name]}`)
    .join(', ');
  return `capture ${loaded.captureId}: ${loaded.status}  ${files}\n  ${rows || 'no rows'}`;
}

/** `vcr load` (options: commands/load.ts). */
export async function runLoad(files: string[], flags: LoadFlags): Promise<void> {
  const started = performance.now();
  const db = await openDatabase(flags.db);
  const progress = terminalProgress();
  try {
    const loaded = await loadFiles(db, files, { replace: flags.replace, kind: flags.kind, lenient: flags.lenient, progress, readThreads: jobsOrDefault(flags.jobs) }).finally(() =>
      progress.stop(),
    );
    for (const capture of loaded) process.stdout.write(`${describe(capture)}\n`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`database ${flags.db} (${seconds} s)\n`);
  } finally {
    db.close();
  }
}
