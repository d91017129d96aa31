import { InvalidArgumentError, Option, type Command } from 'commander';
import { lazyAction } from '../run.js';
import { DEFAULT_DATABASE, EXPORTABLE, OUTPUT_FORMATS, type OutputFormat } from '../../sql/constants.js';
import type { InputKind } from '../../ingest/detect.js';
import { CAPTURE_GROUPING_HELP, INPUT_KINDS } from './load.js';

export interface ExportFlags {
  table: string;
  output: string;
  format?: OutputFormat;
  db?: string;
  capture?: number;
  kind?: InputKind;
  lenient?: boolean;
}

function parseCaptureId(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a capture id (1, 2, ...)');
  return n;
}

const DETAILS = `
Without FILES the table is read from --db (default ${DEFAULT_DATABASE}); with
FILES they are loaded into an in-memory database first (nothing is left
behind). Rows are sorted by the table's key (docs/tables.md). The format
defaults to the output's extension (.arrow .feather .parquet .csv .json
.ndjson/.jsonl). Arrow files are IPC file format (Feather v2); Parquet is
written by DuckDB.${CAPTURE_GROUPING_HELP}

Examples:
  vcr export trace.jsonl --table gaps -o gaps.arrow
  vcr export --db runs.duckdb --table beta_samples --capture 2 -o beta.parquet`;

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write one table or view (every column) to an Arrow, Parquet, CSV or JSON file')
    .argument('[files...]', 'input files to export from (default: the database)')
    .addOption(new Option('--table <name>', 'table or view').choices(EXPORTABLE).makeOptionMandatory())
    .requiredOption('-o, --output <file>', 'output file (written atomically)')
    .addOption(new Option('--format <format>', 'output format (default: from the -o extension)').choices(OUTPUT_FORMATS.filter((f) => f !== 'table')))
    .option('--db <file>', `database to read when no FILES are given (default ${DEFAULT_DATABASE})`)
    .option('--capture <id>', 'only this capture\'s rows', parseCaptureId)
    .addOption(new Option('--kind <kind>', 'treat every input file as this kind').choices(INPUT_KINDS))
    .option('--lenient', 'skip bad input lines instead of failing')
    .addHelpText('after', DETAILS)
    .action(lazyAction(async () => (await import('../actions/export.js')).runExport));
}
