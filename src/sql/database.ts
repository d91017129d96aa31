/**
 * Opening a vcr database: an embedded DuckDB file (or ':memory:') holding
 * the tables of schema.ts and the views of views.ts. Every table and column
 * carries its documentation as a DuckDB comment, so
 * `SELECT * FROM duckdb_columns()` explains the schema without the docs.
 */
import { existsSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../ingest/errors.js';
import { DEFAULT_DATABASE } from './constants.js';
import { TABLES, TABLE_NAMES, createTableSql, sqlString, type TableSpec } from './schema.js';
import { VIEWS, createViewSql, type ViewSpec } from './views.js';

export const IN_MEMORY = ':memory:';

export interface VcrDatabase {
  /** The file path, or ':memory:'. */
  readonly path: string;
  readonly connection: DuckDBConnection;
  close(): void;
}

export interface OpenDatabaseOptions {
  /** Refuse to create the file: reading a database that was never loaded is a mistake, not an empty result. */
  mustExist?: boolean;
}

function columnDocs(table: string, columns: readonly { name: string; unit?: string; doc: string }[]): string[] {
  return columns.map((column) => {
    const text = column.unit ? `${column.doc} [${column.unit}]` : column.doc;
    return `COMMENT ON COLUMN ${table}.${column.name} IS ${sqlString(text)}`;
  });
}

function createTableStatements(table: TableSpec): string[] {
  return [createTableSql(table), `COMMENT ON TABLE ${table.name} IS ${sqlString(table.doc)}`, ...columnDocs(table.name, table.columns)];
}

function createViewStatements(view: ViewSpec): string[] {
  return [createViewSql(view), `COMMENT ON VIEW ${view.name} IS ${sqlString(view.doc)}`, ...columnDocs(view.name, view.columns)];
}

async function runAll(connection: DuckDBConnection, statements: readonly string[]): Promise<void> {
  if (statements.length > 0) await connection.run(statements.join(';\n'));
}

/** Column names of the user tables and views that exist, by name. */
async function existingRelations(connection: DuckDBConnection): Promise<Map<string, string[]>> {
  const reader = await connection.runAndReadAll(
    `SELECT table_name, list(column_name ORDER BY column_index) AS columns
     FROM duckdb_columns()
     WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
     GROUP BY table_name`,
  );
  const relations = new Map<string, string[]>();
  for (const [name, columns] of reader.getRowsJS()) relations.set(name as string, columns as string[]);
  return relations;
}

/**
 * Creates what is missing; refuses a database whose tables have other
 * columns than this vcr writes (loading into it would fail half-way or
 * mislabel data). With `replaceViews` the views are re-created even when
 * present, so a newer vcr's view definitions take effect on the next load.
 */
export async function ensureSchema(db: VcrDatabase, options: { replaceViews?: boolean } = {}): Promise<void> {
  const existing = await existingRelations(db.connection);
  const statements: string[] = [];
  for (const name of TABLE_NAMES) {
    const table = TABLES[name];
    const columns = existing.get(name);
    if (columns === undefined) {
      statements.push(...createTableStatements(table));
      continue;
    }
    const expected = table.columns.map((column) => column.name);
    if (columns.join(',') !== expected.join(',')) {
      throw new InputError(
        db.path,
        undefined,
        `table ${name} has columns (${columns.join(', ')}), this vcr writes (${expected.join(', ')}): load into a new database file`,
      );
    }
  }
  for (const view of VIEWS) {
    if (options.replaceViews || !existing.has(view.name)) statements.push(...createViewStatements(view));
  }
  await runAll(db.connection, statements);
}

export async function openDatabase(path: string = DEFAULT_DATABASE, options: OpenDatabaseOptions = {}): Promise<VcrDatabase> {
  if (options.mustExist && path !== IN_MEMORY && !existsSync(path)) {
    throw new InputError(path, undefined, 'no such database (create it with vcr load, or query files directly with -t)');
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path);
  } catch (error) {
    // Not a DuckDB file, locked by another process, unreadable: the user's to fix.
    throw new InputError(path, undefined, (error as Error).message);
  }
  const connection = await instance.connect();
  const db: VcrDatabase = {
    path,
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
  try {
    await ensureSchema(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
