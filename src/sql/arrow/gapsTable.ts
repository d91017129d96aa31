import type { Table } from 'apache-arrow';
import type { GapTable } from '../../capture/model.js';
import { TABLES } from '../schema.js';
import { arrowTable } from './table.js';
import { constantIntColumn, doubleColumn, intColumn } from './columns.js';

export function gapsArrowTable(gaps: GapTable, captureId: number): Table {
  return arrowTable(TABLES.gaps, {
    capture_id: constantIntColumn(gaps.count, captureId),
    request_id: intColumn(gaps.request),
    gap_index: intColumn(gaps.index),
    start_ms: doubleColumn(gaps.startMs),
    dur_ms: doubleColumn(gaps.durMs),
    tokens: intColumn(gaps.tokens),
    num_running: intColumn(gaps.numRunning, -1),
    prefill_tokens: intColumn(gaps.prefillTokens, -1),
  });
}
