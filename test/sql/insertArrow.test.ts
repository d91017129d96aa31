import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { insertArrowTable } from '../../src/sql/duckdb/insertArrow.js';
import { arrowTable } from '../../src/sql/arrow/table.js';
import {
  bigintColumn,
  boolColumn,
  doubleColumn,
  enumColumnOf,
  intColumn,
  listColumn,
  optionalIntColumn,
  timestampColumn,
  uint64Values,
  utf8Column,
} from '../../src/sql/arrow/columns.js';
import { createTableSql, type TableSpec } from '../../src/sql/schema.js';

/** A table of every column type the schema uses, over several 2048-row chunks. */
const SPEC = {
  name: 'captures',
  doc: 'test',
  key: ['t'],
  columns: [
    { name: 'i', type: 'INTEGER', doc: '' },
    { name: 'd', type: 'DOUBLE', doc: '' },
    { name: 'b', type: 'BIGINT', doc: '' },
    { name: 'flag', type: 'BOOLEAN', doc: '' },
    { name: 's', type: 'VARCHAR', doc: '' },
    { name: 'e', type: { enum: ['x', 'y', 'z'] }, doc: '' },
    { name: 'h', type: { list: 'UBIGINT' }, doc: '' },
    { name: 'm', type: { list: 'VARCHAR' }, doc: '' },
    { name: 't', type: 'TIMESTAMP', doc: '' },
  ],
} as const satisfies TableSpec;

const N = 5000;
const isNull = (i: number) => i === 0 || i === 2047 || i === 2048 || i === 4999 || i % 97 === 5;

let instance: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await connection.run(createTableSql(SPEC).replace('captures', 'captures'));
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

describe('insertArrowTable', () => {
  it('copies every type, nulls and list boundaries across data chunks exactly', async () => {
    const ints = Int32Array.from({ length: N }, (_, i) => (isNull(i) ? -1 : i * 3));
    const doubles = Float64Array.from({ length: N }, (_, i) => (isNull(i) ? NaN : i / 7));
    const bigints = Array.from({ length: N }, (_, i) => (isNull(i) ? undefined : BigInt(i) * 10n ** 15n));
    const flags = Uint8Array.from({ length: N }, (_, i) => i % 3 === 0 ? 1 : 0);
    const strings = Array.from({ length: N }, (_, i) => (isNull(i) ? undefined : `row ${i} ${'é'.repeat(i % 20)}`));
    const labels = Array.from({ length: N }, (_, i) => (isNull(i) ? undefined : ['x', 'y', 'z'][i % 3]));
    // Row i holds i % 4 hashes; some lists straddle a chunk boundary in the child values.
    const offsets = new Int32Array(N + 1);
    const hashes: bigint[] = [];
    const names: string[] = [];
    for (let i = 0; i < N; i++) {
      for (let k = 0; k < i % 4; k++) {
        hashes.push((1n << 63n) + BigInt(i * 4 + k));
        names.push(`${i}.${k}`);
      }
      offsets[i + 1] = hashes.length;
    }
    const micros = Array.from({ length: N }, (_, i) => 1_700_000_000_000_000n + BigInt(i));
    const table = arrowTable(SPEC, {
      i: intColumn(ints, -1),
      d: doubleColumn(doubles),
      b: bigintColumn(bigints),
      flag: boolColumn(flags),
      s: utf8Column(strings),
      e: enumColumnOf(['x', 'y', 'z'], labels),
      h: listColumn(offsets, uint64Values(BigUint64Array.from(hashes))),
      m: listColumn(offsets, utf8Column(names)),
      t: timestampColumn(micros),
    });
    await insertArrowTable(connection, SPEC, table);

    const reader = await connection.runAndReadAll('SELECT i, d, b, flag, s, e, h, m, epoch_us(t) FROM captures ORDER BY epoch_us(t)');
    const rows = reader.getRowsJS();
    expect(rows).toHaveLength(N);
    rows.forEach((row, i) => {
      const expectedHashes = hashes.slice(offsets[i], offsets[i + 1]);
      expect(row).toEqual([
        isNull(i) ? null : i * 3,
        isNull(i) ? null : i / 7,
        isNull(i) ? null : BigInt(i) * 10n ** 15n,
        i % 3 === 0,
        strings[i] ?? null,
        labels[i] ?? null,
        expectedHashes,
        names.slice(offsets[i], offsets[i + 1]),
        micros[i],
      ]);
    });
  });

  it('refuses an ENUM dictionary in another order than the column', async () => {
    const table = arrowTable(SPEC, {
      i: optionalIntColumn([1]),
      d: doubleColumn(new Float64Array([1])),
      b: bigintColumn([1n]),
      flag: boolColumn(new Uint8Array([1])),
      s: utf8Column(['a']),
      e: enumColumnOf(['z', 'y', 'x'], ['x']),
      h: listColumn(new Int32Array([0, 0]), uint64Values(new BigUint64Array())),
      m: listColumn(new Int32Array([0, 0]), utf8Column([])),
      t: timestampColumn([0n]),
    });
    await expect(insertArrowTable(connection, SPEC, table)).rejects.toThrow(/dictionary \[z, y, x\] is not the ENUM \[x, y, z\]/);
  });
});
