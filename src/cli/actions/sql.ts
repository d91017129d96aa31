import { readFile } from 'node:fs/promises';
import { DEFAULT_DATABASE } from '../../sql/constants.js';
import { IN_MEMORY, openDatabase } from '../../sql/database.js';
import { loadFiles } from '../../sql/load.js';
import { writeQueryOutput } from '../../sql/output.js';
import type { SqlFlags } from '../commands/sql.js';
import { UsageError } from '../errors.js';

/** `vcr sql` (options: commands/sql.ts). */
export async function runSql(query: string | undefined, flags: SqlFlags): Promise<void> {
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
}
