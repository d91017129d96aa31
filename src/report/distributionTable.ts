/**
 * A table of Distribution summaries, one row per labelled sample: count,
 * mean, p50, p90, p95, p99, p99.9, max (ms). Shared by every report that
 * prints latency distributions. `heatP99` highlights the rows whose p99
 * dominates (the tail a reader should look at first).
 */
import type { Distribution } from './distribution.js';
import { formatMs } from './render/format.js';
import type { Cell, Table } from './render/table.js';

export function distributionTable(labelHeader: string, rows: ReadonlyArray<[string, Distribution]>, options: { heatP99?: boolean } = {}): Table {
  const ms = { format: formatMs };
  return {
    columns: [
      { header: labelHeader },
      { header: 'count' },
      { header: 'mean', ...ms },
      { header: 'p50', ...ms },
      { header: 'p90', ...ms },
      { header: 'p95', ...ms },
      { header: 'p99', ...ms, heat: options.heatP99 },
      { header: 'p99.9', ...ms },
      { header: 'max', ...ms },
    ],
    rows: rows.map(([label, d]): Cell[] => [label, d.count, d.meanMs, d.p50Ms, d.p90Ms, d.p95Ms, d.p99Ms, d.p999Ms, d.maxMs]),
  };
}
