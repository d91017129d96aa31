/**
 * Values of the SQL stage that the CLI needs just to register its commands
 * (option choices and the defaults --help shows). This module must stay
 * light: it imports no DuckDB, Arrow or formatter code, because every `vcr`
 * invocation registers every command (test/cli/startup.test.ts checks it).
 * database.ts, format/formatResult.ts, format/table.ts and exportTable.ts
 * use these values.
 */
import { TABLE_NAMES } from './schema.js';
import { VIEWS } from './views.js';

/** The database `vcr load`, `vcr sql` and `vcr export` use without --db. */
export const DEFAULT_DATABASE = 'vcr.duckdb';

/** Every output format of `vcr sql` / `vcr export`. Parquet is written by DuckDB itself (format/parquet.ts), not from a result. */
export const OUTPUT_FORMATS = ['table', 'csv', 'json', 'ndjson', 'arrow', 'parquet'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Rows the table format shows before "… N more rows" (format/table.ts). */
export const DEFAULT_MAX_ROWS = 40;

/** What `vcr export --table` accepts: every table (schema.ts), then every view (views.ts). */
export const EXPORTABLE: readonly string[] = [...TABLE_NAMES, ...VIEWS.map((view) => view.name)];
