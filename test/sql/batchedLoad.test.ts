import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { loadCapture } from '../../src/capture/load.js';
import { withSpilledCapture } from '../../src/capture/spill/spilledCapture.js';
import { captureView } from '../../src/capture/view.js';
import { generateCapture } from '../../src/gen/index.js';
import { captureArrowBatches, type ArrowBatch } from '../../src/sql/arrow/captureTables.js';
import { identifyCapture } from '../../src/sql/identity.js';
import type { TableName } from '../../src/sql/schema.js';

/** Each table's rows, batches concatenated, as JSON-comparable values. */
function rowsByTable(batches: Iterable<ArrowBatch>): Map<TableName, unknown[]> {
  const tables = new Map<TableName, unknown[]>();
  for (const { table, rows } of batches) {
    const list = tables.get(table) ?? [];
    list.push(...(rows as Table).toArray().map((row) => JSON.stringify(row.toJSON(), (_key, value) => (typeof value === 'bigint' ? String(value) : value))));
    tables.set(table, list);
  }
  return tables;
}

describe('load batches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vcr-batches-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sources = { trace: join(dir, 'trace.jsonl'), stepStats: join(dir, 'trace-step-stats.jsonl') };
  beforeAll(async () => {
    await generateCapture({ outDir: dir, requests: 60, seed: 9, specK: 2 });
  });

  it('carry the same rows whatever the batch sizes, from a spilled capture as from memory', async () => {
    const identity = await identifyCapture(sources);
    const loadedAt = new Date(0);
    const whole = rowsByTable(captureArrowBatches(captureView(await loadCapture(sources)), 1, identity, loadedAt));
    await withSpilledCapture(sources, { tempDir: dir }, async (spilled) => {
      const batches = [...captureArrowBatches(spilled, 1, identity, loadedAt, { gapRows: 500, requestRows: 7 })];
      expect(batches.filter((b) => b.table === 'gaps').length).toBeGreaterThan(3);
      expect(batches.filter((b) => b.table === 'requests').length).toBe(Math.ceil(spilled.requests.count / 7));
      const split = rowsByTable(batches);
      expect([...split.keys()].sort()).toEqual([...whole.keys()].sort());
      for (const [table, rows] of whole) expect(split.get(table), table).toEqual(rows);
    });
  });
});
