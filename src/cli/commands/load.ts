import { relative } from 'node:path';
import { Option, type Command } from 'commander';
import { action } from '../run.js';
import { terminalProgress } from '../progress.js';
import { DEFAULT_DATABASE, openDatabase } from '../../sql/database.js';
import { loadFiles, type LoadedCapture } from '../../sql/load.js';
import { TABLE_NAMES, type TableName } from '../../sql/schema.js';
import type { InputKind } from '../../ingest/detect.js';

export const INPUT_KINDS: readonly InputKind[] = ['trace', 'step-stats', 'otlp'];

export const CAPTURE_GROUPING_HELP = `
Files of one invocation are grouped into captures: each engine trace is a
capture, and a step-stats sidecar or OTLP file joins the trace in its own
directory (by name prefix when the directory holds several traces, e.g.
run1.jsonl + run1-step-stats.jsonl), or the only trace given. Without a
trace, sidecar/OTLP files form one capture per directory.`;

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

interface LoadFlags {
  db: string;
  replace?: boolean;
  kind?: InputKind;
  lenient?: boolean;
}

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

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description('load captures (engine traces, step-stats sidecars, OTLP exports) into a DuckDB database for vcr sql')
    .argument('<files...>', 'input files, each kind detected from its content')
    .option('--db <file>', 'database file (created when missing)', DEFAULT_DATABASE)
    .option('--replace', 'reload captures already in the database (same content, or loaded from the same trace path) instead of skipping them')
    .addOption(new Option('--kind <kind>', 'treat every file as this kind instead of detecting it').choices(INPUT_KINDS))
    .option('--lenient', 'skip bad input lines (counted on stderr) instead of failing')
    .addHelpText('after', `${CAPTURE_GROUPING_HELP}\n\nThe whole load is one transaction: on any error the database is left unchanged.`)
    .action(
      action(async (files: string[], flags: LoadFlags) => {
        const started = performance.now();
        const db = await openDatabase(flags.db);
        const progress = terminalProgress();
        try {
          const loaded = await loadFiles(db, files, { replace: flags.replace, kind: flags.kind, lenient: flags.lenient, progress }).finally(() =>
            progress.stop(),
          );
          for (const capture of loaded) process.stdout.write(`${describe(capture)}\n`);
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          process.stdout.write(`database ${flags.db} (${seconds} s)\n`);
        } finally {
          db.close();
        }
      }),
    );
}
