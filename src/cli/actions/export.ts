import { DEFAULT_DATABASE } from '../../sql/constants.js';
import { exportTable } from '../../sql/exportTable.js';
import type { ExportFlags } from '../commands/export.js';
import { UsageError } from '../errors.js';

/** `vcr export` (options: commands/export.ts). */
export async function runExport(files: string[], flags: ExportFlags): Promise<void> {
  if (files.length > 0 && flags.db !== undefined) throw new UsageError('give input FILES or --db, not both');
  const { rows } = await exportTable({
    table: flags.table,
    output: flags.output,
    format: flags.format,
    files,
    db: flags.db ?? DEFAULT_DATABASE,
    captureId: flags.capture,
    kind: flags.kind,
    lenient: flags.lenient,
  });
  process.stdout.write(`${rows} rows → ${flags.output}\n`);
}
