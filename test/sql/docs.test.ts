import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderTablesDoc } from '../../src/sql/tablesDoc.js';
import { openDatabase } from '../../src/sql/database.js';
import { TABLES, TABLE_NAMES } from '../../src/sql/schema.js';

const DOC = new URL('../../docs/tables.md', import.meta.url);

describe('docs/tables.md', () => {
  it('is the rendering of the schema and views', () => {
    const rendered = renderTablesDoc();
    if (process.env.VCR_UPDATE_DOCS) writeFileSync(DOC, rendered);
    expect(readFileSync(DOC, 'utf8')).toBe(rendered);
  });

  it('matches the database: every column exists with its documented comment', async () => {
    const db = await openDatabase(':memory:');
    try {
      const rows = (
        await db.connection.runAndReadAll("SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal")
      ).getRowsJS();
      for (const name of TABLE_NAMES) {
        const columns = rows.filter(([table]) => table === name);
        expect(columns.map(([, column]) => column)).toEqual(TABLES[name].columns.map((c) => c.name));
        columns.forEach(([, , comment], i) => expect(comment).toContain(TABLES[name].columns[i].doc));
      }
    } finally {
      db.close();
    }
  });
});
