/**
 * Parquet through DuckDB's own writer: `COPY (query) TO temp (FORMAT
 * parquet)` beside the target, then an atomic rename, so a failed query
 * leaves no partial file. Statements before the last one run first (they may
 * create what the query reads); the last one is prepared on its own before
 * it is wrapped, so a mistake in it is reported at its own line and column.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { VcrDatabase } from '../database.js';
import { SqlError } from '../errors.js';
import { sqlString } from '../schema.js';
import { splitStatements } from '../statements.js';

async function duckdb<T>(source: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new SqlError(source, (error as Error).message);
  }
}

/** Writes the last statement's rows to `path` as Parquet; returns the row count. */
export async function copyQueryToParquet(db: VcrDatabase, sql: string, path: string, source?: string): Promise<number> {
  const statements = splitStatements(sql);
  const query = statements.pop();
  if (query === undefined) throw new SqlError(source, 'no SQL statement to run');
  if (statements.length > 0) await duckdb(source, () => db.connection.run(statements.join(';\n')));
  const prepared = await duckdb(source, () => db.connection.prepare(query));
  prepared.destroySync();

  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    // The newline keeps a trailing -- comment in the query from swallowing the parenthesis.
    const reader = await duckdb(source, () => db.connection.runAndReadAll(`COPY (\n${query}\n) TO ${sqlString(temp)} (FORMAT parquet)`));
    await rename(temp, path);
    return Number(reader.getRowsJS()[0]?.[0] ?? 0);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
