import { InputError } from '../ingest/errors.js';

/**
 * A query DuckDB rejected. The message is DuckDB's own, verbatim (error
 * class, reason, and the `LINE n:` excerpt with a caret at the position),
 * prefixed by the SQL file's path when the query came from one. It is an
 * InputError so every command reports it as bad input: one line of context,
 * exit 1, no stack trace.
 */
export class SqlError extends InputError {
  constructor(
    readonly sqlSource: string | undefined,
    readonly duckdbMessage: string,
  ) {
    super(sqlSource ?? 'SQL', undefined, duckdbMessage);
    this.name = 'SqlError';
    if (sqlSource === undefined) this.message = duckdbMessage;
  }
}
