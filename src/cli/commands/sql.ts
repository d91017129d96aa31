import { InvalidArgumentError, Option, type Command } from 'commander';
import { lazyAction } from '../run.js';
import { DEFAULT_DATABASE, DEFAULT_MAX_ROWS, OUTPUT_FORMATS, type OutputFormat } from '../../sql/constants.js';
import type { InputKind } from '../../ingest/detect.js';
import { CAPTURE_GROUPING_HELP, INPUT_KINDS } from './load.js';

export interface SqlFlags {
  db?: string;
  traces?: string[];
  file?: string;
  format: OutputFormat;
  output?: string;
  maxRows: number;
  kind?: InputKind;
  lenient?: boolean;
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}

const EXAMPLES = `
Examples:
  vcr sql "SELECT count(*) FROM gaps"                       (tables in ./${DEFAULT_DATABASE})
  vcr sql -f queries/latency_percentiles.sql --db runs.duckdb
  vcr sql "SELECT * FROM steps" -t trace.jsonl trace-step-stats.jsonl --format csv -o steps.csv

With -t the files are loaded into an in-memory database first and nothing is
left behind; give the query before -t (or use -f), since -t takes every
argument after it.${CAPTURE_GROUPING_HELP}

Tables: captures, requests, gaps, steps, step_summaries, journey, snapshots;
views: request_stages, alpha_samples, beta_samples (docs/tables.md).`;

export function registerSql(program: Command): void {
  program
    .command('sql')
    .description('run SQL (DuckDB) over loaded captures')
    .argument('[query]', 'SQL text (one or more statements; the last one\'s rows are printed)')
    .option('-f, --file <file.sql>', 'read the SQL from a file instead')
    .option('--db <file>', `database file (default ${DEFAULT_DATABASE})`)
    .option('-t, --traces <files...>', 'query these input files in an in-memory database instead of --db')
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .option('--max-rows <n>', 'table format: rows shown before "… N more rows" (0 = all)', parseCount, DEFAULT_MAX_ROWS)
    .addOption(new Option('--kind <kind>', 'with -t: treat every file as this kind').choices(INPUT_KINDS))
    .option('--lenient', 'with -t: skip bad input lines instead of failing')
    .addHelpText('after', EXAMPLES)
    .action(lazyAction(async () => (await import('../actions/sql.js')).runSql));
}
