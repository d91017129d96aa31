import type { Table } from 'apache-arrow';
import { FINISH_REASONS } from '../../capture/records.js';
import type { RequestTable } from '../../capture/model.js';
import { TABLES } from '../schema.js';
import { arrowTable } from './table.js';
import {
  constantIntColumn,
  doubleColumn,
  enumColumn,
  int32Values,
  intColumn,
  listColumn,
  uint64Values,
  utf8Column,
} from './columns.js';

/** mm_hashes are a sparse map in the model; the column is a list per request (empty when none). */
function mmHashColumn(requests: RequestTable) {
  const offsets = new Int32Array(requests.count + 1);
  const values: string[] = [];
  for (let id = 0; id < requests.count; id++) {
    const hashes = requests.mmHashes.get(id);
    if (hashes) values.push(...hashes);
    offsets[id + 1] = values.length;
  }
  return listColumn(offsets, utf8Column(values));
}

/** `requests` rows; row i is request `firstId + i` (a batch of a larger capture starts past 0). */
export function requestsArrowTable(requests: RequestTable, captureId: number, firstId = 0): Table {
  const n = requests.count;
  // finishReason codes: 0 = absent, else FINISH_REASONS index + 1.
  const finishCodes = requests.finishReason.map((code) => Math.max(0, code - 1));
  return arrowTable(TABLES.requests, {
    capture_id: constantIntColumn(n, captureId),
    request_id: int32Values(Int32Array.from({ length: n }, (_, i) => firstId + i)),
    source_line: intColumn(requests.sourceLine),
    arrival_ms: doubleColumn(requests.arrivalMs),
    ttft_ms: doubleColumn(requests.ttftMs),
    decode_ms: doubleColumn(requests.decodeMs),
    e2e_ms: doubleColumn(requests.e2eMs),
    end_ms: doubleColumn(requests.endMs),
    tpot_ms: doubleColumn(requests.tpotMs),
    mean_itl_ms: doubleColumn(requests.meanItlMs),
    prompt_tokens: intColumn(requests.promptTokens),
    cached_tokens: intColumn(requests.cachedTokens),
    output_tokens: intColumn(requests.outputTokens),
    first_chunk_tokens: intColumn(requests.firstChunkTokens),
    concurrency: intColumn(requests.concurrency),
    gap_count: intColumn(requests.gapCount),
    summary_gap_count: intColumn(requests.summaryGapCount, -1),
    finish_reason: enumColumn(FINISH_REASONS, finishCodes, (i) => requests.finishReason[i] === 0),
    lane: intColumn(requests.lane, -1),
    block_hashes: listColumn(requests.blockHashOffsets, uint64Values(requests.blockHashes)),
    mm_hashes: mmHashColumn(requests),
    output_token_ids: listColumn(requests.tokenIdOffsets, int32Values(requests.tokenIds)),
  });
}
