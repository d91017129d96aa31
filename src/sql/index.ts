/**
 * The SQL stage's public surface: open a database, load captures into it,
 * query it, format or export the result. See docs/tables.md for the tables.
 */
export { DEFAULT_DATABASE, DEFAULT_MAX_ROWS, EXPORTABLE, OUTPUT_FORMATS, type OutputFormat } from './constants.js';
export { IN_MEMORY, openDatabase, type OpenDatabaseOptions, type VcrDatabase } from './database.js';
export { loadFiles, type LoadFilesOptions, type LoadStatus, type LoadedCapture } from './load.js';
export { runQuery, type Cell, type QueryResult, type ResultColumn } from './query.js';
export { formatResult, type ResultFormat } from './format/formatResult.js';
export type { TableFormatOptions } from './format/table.js';
export { writeQueryOutput, type QueryOutputOptions } from './output.js';
export { exportTable, type ExportOptions } from './exportTable.js';
export { SqlError } from './errors.js';
export { TABLES, TABLE_NAMES, type TableName } from './schema.js';
export { VIEWS } from './views.js';
