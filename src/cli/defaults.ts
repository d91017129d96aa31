/**
 * Values the commands need when they are registered (option choices and
 * defaults shown by --help) whose home modules import DuckDB, Apache Arrow
 * or ml-matrix. Registering a command must not load those (every `vcr`
 * invocation registers every command), so the values are repeated here;
 * test/cli/startup.test.ts checks that each one equals its original.
 */
import type { FitTarget } from '../fit/fitCapture.js';
import type { OutputFormat } from '../sql/format/formatResult.js';
import { TABLE_NAMES } from '../sql/schema.js';
import { VIEWS } from '../sql/views.js';

/** sql/database.ts DEFAULT_DATABASE. */
export const DEFAULT_DATABASE = 'vcr.duckdb';

/** sql/format/formatResult.ts OUTPUT_FORMATS. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'csv', 'json', 'ndjson', 'arrow', 'parquet'];

/** sql/format/table.ts DEFAULT_MAX_ROWS. */
export const DEFAULT_MAX_ROWS = 40;

/** sql/exportTable.ts EXPORTABLE: every table, then every view. */
export const EXPORTABLE: readonly string[] = [...TABLE_NAMES, ...VIEWS.map((view) => view.name)];

/** fit/fitCapture.ts FIT_TARGETS. */
export const FIT_TARGETS: readonly FitTarget[] = ['alpha', 'beta', 'both'];

/** fit/fitCapture.ts FIT_DEFAULTS. */
export const FIT_DEFAULTS = { target: 'both', holdout: 0.2, ridge: 0, warmupSteps: 10, maxPreemptedPerStep: 0, stepSource: 'auto' } as const;
