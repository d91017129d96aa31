import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type VcrDatabase } from '../../src/sql/database.js';
import { formatResult } from '../../src/sql/format/formatResult.js';
import { formatTable } from '../../src/sql/format/table.js';
import { loadFiles } from '../../src/sql/load.js';
import { writeQueryOutput } from '../../src/sql/output.js';
import { runQuery } from '../../src/sql/query.js';
import { useTempDir, writeCaptureFixture } from './fixtures.js';

const tempDir = useTempDir();
let db: VcrDatabase;
let outDir: string;

/** One row per interesting type: UBIGINT above 2^53, NULLs, a list, an ENUM, a string needing CSV quoting, a timestamp. */
const MIXED = `
SELECT * FROM (VALUES
  (1, 18446744073709551615::UBIGINT, 1.5::DOUBLE, 'plain', [1, 2]::INTEGER[], 'prefill'::ENUM('decode', 'prefill', 'prefill+decode'), TIMESTAMP '2025-01-02 03:04:05.123456', true),
  (2, 9007199254740993::UBIGINT, NULL, 'a "quoted", comma', []::INTEGER[], NULL, NULL, false),
  (3, NULL, -0.25, NULL, NULL, 'decode'::ENUM('decode', 'prefill', 'prefill+decode'), TIMESTAMP '1999-12-31 23:59:59', NULL)
) AS t(id, hash, x, label, ints, kind, at_time, flag)`;

beforeAll(async () => {
  const fixture = writeCaptureFixture(tempDir(), { seed: 51, requests: 60 });
  db = await openDatabase(':memory:');
  await loadFiles(db, [fixture.trace, fixture.stepStats, fixture.otlp]);
  outDir = tempDir();
});
afterAll(() => db.close());

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && (c === ',' || c === '\n')) {
      row.push(field);
      field = '';
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    } else {
      field += c;
    }
  }
  return rows;
}

describe('output formats round-trip', () => {
  it('csv: header, RFC 4180 quoting, NULL as empty, exact uint64', async () => {
    const text = formatResult(await runQuery(db, MIXED), 'csv') as string;
    expect(parseCsv(text)).toEqual([
      ['id', 'hash', 'x', 'label', 'ints', 'kind', 'at_time', 'flag'],
      ['1', '18446744073709551615', '1.5', 'plain', '[1,2]', 'prefill', '2025-01-02 03:04:05.123456', 'true'],
      ['2', '9007199254740993', '', 'a "quoted", comma', '[]', '', '', 'false'],
      ['3', '', '-0.25', '', '', 'decode', '1999-12-31 23:59:59', ''],
    ]);
  });

  it('json and ndjson: valid JSON, uint64 as exact digits', async () => {
    const result = await runQuery(db, MIXED);
    const json = formatResult(result, 'json') as string;
    const parsed = JSON.parse(json) as Record<string, unknown>[];
    expect(parsed).toHaveLength(3);
    expect(parsed[1]).toMatchObject({ id: 2, x: null, label: 'a "quoted", comma', ints: [], kind: null, flag: false });
    expect(json).toContain('"hash":18446744073709551615');
    expect(json).toContain('"hash":9007199254740993');
    const ndjson = formatResult(result, 'ndjson') as string;
    const lines = ndjson.trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(parsed);
    // A bigint-aware reader (DuckDB's) gets the hashes back exactly.
    const path = join(outDir, 'mixed.ndjson');
    await writeQueryOutput(db, MIXED, { format: 'ndjson', output: path });
    const back = await db.connection.runAndReadAll(`SELECT hash FROM read_json('${path}', columns = {hash: 'UBIGINT'}) ORDER BY hash NULLS LAST`);
    expect(back.getRowsJS().map(([hash]) => hash)).toEqual([9007199254740993n, 18446744073709551615n, null]);
  });

  it('arrow: IPC file read back with apache-arrow, types kept', async () => {
    const path = join(outDir, 'mixed.arrow');
    await writeQueryOutput(db, MIXED, { format: 'arrow', output: path });
    const table = tableFromIPC(readFileSync(path));
    expect(table.numRows).toBe(3);
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['id', 'Int32'],
      ['hash', 'Uint64'],
      ['x', 'Float64'],
      ['label', 'Utf8'],
      ['ints', 'List<Int32>'],
      ['kind', 'Dictionary<Uint8, Utf8>'],
      ['at_time', 'Timestamp<MICROSECOND>'],
      ['flag', 'Bool'],
    ]);
    // Exact above 2^53; the third slot is null, and Arrow leaves the bytes under a null unspecified.
    expect(table.getChild('hash')!.toArray().subarray(0, 2)).toEqual(new BigUint64Array([18446744073709551615n, 9007199254740993n]));
    expect(table.getChild('hash')!.get(2)).toBeNull();
    expect(table.getChild('x')!.get(1)).toBeNull();
    expect([...table.getChild('kind')!]).toEqual(['prefill', null, 'decode']);
    // Exact microseconds, not the ms double apache-arrow's get() returns.
    expect(table.getChild('at_time')!.data[0].values[0]).toBe(BigInt(Date.UTC(2025, 0, 2, 3, 4, 5, 123)) * 1000n + 456n);
    expect([...table.getChild('ints')!.get(0)!]).toEqual([1, 2]);
  });

  it('parquet: written by DuckDB COPY, read back with read_parquet', async () => {
    const path = join(outDir, 'mixed.parquet');
    const { rows } = await writeQueryOutput(db, `-- a header comment\n${MIXED}; -- trailing`, { format: 'parquet', output: path });
    expect(rows).toBe(3);
    const back = await runQuery(db, `SELECT * FROM read_parquet('${path}') ORDER BY id`);
    const original = await runQuery(db, `${MIXED} ORDER BY id`);
    expect(back.values).toEqual(original.values);
  });

  it('every format of a whole table agrees with the table itself', async () => {
    const sql = 'SELECT * FROM gaps WHERE capture_id = 1';
    const reference = await runQuery(db, sql);
    const arrowPath = join(outDir, 'gaps.arrow');
    await writeQueryOutput(db, sql, { format: 'arrow', output: arrowPath });
    const arrow = tableFromIPC(readFileSync(arrowPath));
    expect(arrow.numRows).toBe(reference.rowCount);
    reference.columns.forEach((column, c) => {
      expect([...arrow.getChild(column.name)!]).toEqual(reference.values[c]);
    });
    const parquetPath = join(outDir, 'gaps.parquet');
    await writeQueryOutput(db, sql, { format: 'parquet', output: parquetPath });
    expect((await runQuery(db, `SELECT * FROM read_parquet('${parquetPath}')`)).values).toEqual(reference.values);
    const csv = parseCsv(formatResult(reference, 'csv') as string);
    expect(csv).toHaveLength(reference.rowCount + 1);
    const durColumn = reference.columns.findIndex((column) => column.name === 'dur_ms');
    expect(csv.slice(1).map((row) => Number(row[durColumn]))).toEqual(reference.values[durColumn]);
  });

  it('a failed query leaves no output file behind', async () => {
    const dir = tempDir();
    for (const format of ['csv', 'arrow', 'parquet'] as const) {
      await expect(writeQueryOutput(db, 'SELECT nope FROM gaps', { format, output: join(dir, `out.${format}`) })).rejects.toThrow(/Binder Error/);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('table format', () => {
  it('aligns columns, right-aligns numbers, spells NULL, plain without color', async () => {
    const text = formatResult(await runQuery(db, MIXED), 'table') as string;
    expect(text.includes('\u001b[')).toBe(false);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id {2}\s*hash {2}\s*x {2}label/);
    expect(lines[1]).toMatch(/^-+( {2}-+)+$/);
    expect(lines[2]).toBe(' 1  18446744073709551615   1.500  plain              [1,2]  prefill  2025-01-02 03:04:05.123456  true');
    expect(lines[3]).toBe(' 2      9007199254740993    NULL  a "quoted", comma  []     NULL     NULL                        false');
    expect(lines[4]).toBe(' 3                  NULL  -0.250  NULL               NULL   decode   1999-12-31 23:59:59         NULL');
  });

  it('truncates long results with a count of the rest', async () => {
    const result = await runQuery(db, 'SELECT range AS n FROM range(100)');
    const lines = formatTable(result, { maxRows: 10 }).trimEnd().split('\n');
    expect(lines).toHaveLength(2 + 10 + 1);
    expect(lines[2]).toBe('0');
    expect(lines[12]).toMatch(/^… 90 more rows \(100 in all/);
    expect(formatTable(result, { maxRows: 0 }).trimEnd().split('\n')).toHaveLength(102);
  });

  it('styles the header with color on a terminal', async () => {
    const { default: chalk } = await import('chalk');
    const previous = chalk.level;
    chalk.level = 1;
    try {
      const text = formatTable(await runQuery(db, 'SELECT 1 AS a'), { color: true });
      expect(text).toContain('\u001b[1m');
    } finally {
      chalk.level = previous;
    }
  });

  it('says so when there are no rows', async () => {
    expect(formatTable(await runQuery(db, 'SELECT 1 AS a WHERE false'))).toBe('a\n-\n(no rows)\n');
  });
});
