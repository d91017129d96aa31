import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { action } from '../run.js';
import { UsageError } from '../errors.js';
import { DEFAULT_DATABASE, IN_MEMORY, openDatabase } from '../../sql/database.js';
import { loadFiles } from '../../sql/load.js';
import { writeQueryOutput } from '../../sql/output.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../../sql/format/formatResult.js';
import { DEFAULT_MAX_ROWS } from '../../sql/format/table.js';
import type { InputKind } from '../../ingest/detect.js';
import { CAPTURE_GROUPING_HELP, INPUT_KINDS } from './load.js';

interface SqlFlags {
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
    .action(
      action(async (query: string | undefined, flags: SqlFlags) => {
        if ((query === undefined) === (flags.file === undefined)) throw new UsageError('give the SQL either as an argument or with -f FILE (exactly one)');
        if (flags.db !== undefined && flags.traces !== undefined) throw new UsageError('--db and -t are alternatives: query a database or the given files');
        const sql = query ?? (await readFile(flags.file!, 'utf8'));
        const db = flags.traces ? await openDatabase(IN_MEMORY) : await openDatabase(flags.db ?? DEFAULT_DATABASE, { mustExist: true });
        try {
          if (flags.traces) await loadFiles(db, flags.traces, { kind: flags.kind, lenient: flags.lenient });
          const terminal = process.stdout.isTTY === true && flags.output === undefined;
          await writeQueryOutput(db, sql, {
            format: flags.format,
            output: flags.output,
            source: flags.file,
            table: { maxRows: flags.maxRows, color: terminal },
          });
        } finally {
          db.close();
        }
      }),
    );
}
