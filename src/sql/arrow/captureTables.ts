import type { Table } from 'apache-arrow';
import type { Capture } from '../../capture/model.js';
import type { TableName } from '../schema.js';
import type { CaptureIdentity } from '../identity.js';
import { capturesArrowTable } from './capturesTable.js';
import { requestsArrowTable } from './requestsTable.js';
import { gapsArrowTable } from './gapsTable.js';
import { stepsArrowTable } from './stepsTable.js';
import { stepSummariesArrowTable } from './stepSummariesTable.js';
import { journeyArrowTable } from './journeyTable.js';
import { snapshotsArrowTable } from './snapshotsTable.js';

/** Builders by table, so a load can build, insert and drop one table at a time. */
const BUILDERS: Record<TableName, (capture: Capture, captureId: number, identity: CaptureIdentity, loadedAt: Date) => Table> = {
  captures: capturesArrowTable,
  requests: (capture, id) => requestsArrowTable(capture.requests, id),
  gaps: (capture, id) => gapsArrowTable(capture.gaps, id),
  steps: (capture, id) => stepsArrowTable(capture.steps, id),
  step_summaries: (capture, id) => stepSummariesArrowTable(capture.otlp?.steps ?? [], id),
  journey: (capture, id) => journeyArrowTable(capture.otlp?.requests ?? [], id),
  snapshots: (capture, id) => snapshotsArrowTable(capture.otlp?.snapshots ?? [], id),
};

/** One capture as Arrow tables, every row tagged with `captureId`. */
export function captureArrowTable(table: TableName, capture: Capture, captureId: number, identity: CaptureIdentity, loadedAt = new Date()): Table {
  return BUILDERS[table](capture, captureId, identity, loadedAt);
}
