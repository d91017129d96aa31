/**
 * docs/tables.md, rendered from schema.ts and views.ts so the documentation
 * cannot drift from the tables (test/sql/docs.test.ts compares the file with
 * this rendering; VCR_UPDATE_DOCS=1 rewrites it).
 */
import { TABLES, TABLE_NAMES, sqlType } from './schema.js';
import { VIEWS } from './views.js';

const escapeCell = (text: string) => text.replaceAll('|', '\\|');

function columnTable(columns: readonly { name: string; type: string; unit?: string; doc: string }[]): string[] {
  return [
    '| column | type | unit | meaning |',
    '| --- | --- | --- | --- |',
    ...columns.map((c) => `| \`${c.name}\` | ${escapeCell(c.type)} | ${c.unit ?? ''} | ${escapeCell(c.doc)} |`),
  ];
}

export function renderTablesDoc(): string {
  const lines = [
    '# vcr tables',
    '',
    '<!-- Generated from src/sql/schema.ts and src/sql/views.ts; edit those, then run',
    '     VCR_UPDATE_DOCS=1 npx vitest run test/sql/docs.test.ts -->',
    '',
    '`vcr load` writes these tables into a DuckDB database (`vcr.duckdb` by default);',
    '`vcr sql` queries them. Every row carries `capture_id`, so several captures live',
    'side by side: filter or join on it. The same documentation is in the database',
    'itself: `SELECT table_name, column_name, comment FROM duckdb_columns()`.',
    '',
    'Conventions: times are milliseconds (DOUBLE) unless a name ends in `_ns` (exact',
    'nanoseconds, BIGINT) or `_us`; counts are INTEGER (per-capture totals BIGINT);',
    'hashes are UBIGINT, exact above 2^53. A value the input did not record is NULL.',
    'ENUM columns compare with plain strings (`WHERE kind = \'decode\'`).',
    '',
    'Rows are stored in no particular order (`vcr load` inserts in parallel):',
    'sort by a table\'s key columns when order matters; `vcr export` does.',
    '',
    'Clocks: `requests`, `gaps` and sidecar `steps` are on the engine trace\'s clock',
    '(its `arrival_ms` zero, shared with the step-stats sidecar). `journey`,',
    '`snapshots`, `step_summaries` and OTLP-sourced `steps` are on the OTLP clock: ms',
    'since the earliest timestamp in the OTLP file (`captures.otlp_epoch_ns`).',
    '',
    '## Loading',
    '',
    '`vcr load FILES... [--db F] [--replace] [--kind K] [--lenient] [-j N]` groups the files',
    'of one invocation into captures: each engine trace is a capture; a step-stats',
    'sidecar or OTLP file joins the trace in its own directory (by the longest',
    'name prefix when that directory holds several traces: `run1.jsonl` ←',
    '`run1-step-stats.jsonl`), or the only trace given; without any trace, sidecar',
    'and OTLP files form one capture per directory. A capture is identified by the',
    'SHA-256 of its files\' contents (`captures.content_hash`): loading the same',
    'bytes again, from any path, is skipped; `--replace` reloads it, and also',
    'replaces a capture loaded earlier from the same trace path (a re-recorded',
    'file), keeping its `capture_id`. The whole invocation is one transaction: a',
    'bad input file leaves the database unchanged. An engine trace over 128 MB',
    '(plain, not gzip) is read in parts on `-j N` threads (default: the CPU count,',
    'at most 8), cut at line boundaries; the rows, their `source_line`s and any',
    'error message are those of a one-thread read (`-j 1`).',
    '',
    '## Tables',
  ];
  for (const name of TABLE_NAMES) {
    const table = TABLES[name];
    lines.push('', `### ${name}`, '', table.doc, '', `Key (unique per row; ORDER BY it for a stable order): ${table.key.map((c) => `\`${c}\``).join(', ')}.`, '');
    lines.push(...columnTable(table.columns.map((c) => ({ ...c, type: sqlType(c.type) }))));
  }
  lines.push('', '## Views');
  for (const view of VIEWS) {
    lines.push('', `### ${view.name}`, '', view.doc, '', `Key: ${view.key.map((c) => `\`${c}\``).join(', ')}.`, '');
    lines.push(...columnTable(view.columns));
  }
  return lines.join('\n') + '\n';
}
