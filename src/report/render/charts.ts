/**
 * Vega-Lite spec builders for the plots performance engineers expect. They
 * take plain, already-reduced data (a few hundred points: reduce large
 * samples with src/stats first) and return a spec for `renderSvg`
 * (plot.ts) or a `figure` block (document.ts).
 *
 * API (times are whatever unit the caller labels the axis with):
 * - `survivalChart({ title, xTitle, series, logX? })`: P(X > x) per series
 *   as a step line on a log y axis, so the tail (p99, p99.9) gets as much
 *   room as the body; `logX` for samples spanning decades.
 * - `qqChart({ title, xTitle, yTitle, points })`: quantile–quantile points
 *   with the y = x reference line; points off the line show where two
 *   distributions differ.
 * - `histogramChart({ title, xTitle, series, logX? })`: overlaid,
 *   semi-transparent histograms (fraction of each series per bin).
 * - `intervalStripChart({ title, xTitle, tracks, domain? })`: a timeline of
 *   intervals, one strip per track stacked on a shared x axis; each
 *   interval sits on its `row` within the track; `domain` fixes the x range
 *   (intervals reaching past it are clipped).
 * - `SERIES_COLORS`: the palette (first series blue, second orange).
 */
import type { TopLevelSpec } from 'vega-lite';

export const SERIES_COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2'];

const WIDTH = 400;
const HEIGHT = 260;

export interface SurvivalSeries {
  name: string;
  points: ReadonlyArray<{ x: number; survival: number }>;
}

export interface QqPoint {
  /** Quantile of the x-axis sample. */
  x: number;
  /** Same quantile of the y-axis sample. */
  y: number;
  /** Probability of the quantile (0–1), shown in the tooltip. */
  p: number;
}

export interface HistogramSeries {
  name: string;
  bins: ReadonlyArray<{ x0: number; x1: number; fraction: number }>;
}

export interface StripInterval {
  start: number;
  end: number;
  row: number;
  /** Tooltip text. */
  label?: string;
}

export interface StripTrack {
  name: string;
  intervals: ReadonlyArray<StripInterval>;
  color?: string;
  /** Draw a white hairline around each interval, so back-to-back intervals (scheduler steps) stay distinguishable. */
  outline?: boolean;
}

function colorScale(names: string[]) {
  return { domain: names, range: SERIES_COLORS.slice(0, Math.max(1, names.length)) };
}

export function survivalChart(options: { title: string; xTitle: string; series: SurvivalSeries[]; logX?: boolean }): TopLevelSpec {
  const names = options.series.map((s) => s.name);
  const values = options.series.flatMap((s) => drawableSurvival(s.points, options.logX ?? false).map((p) => ({ series: s.name, x: p.x, survival: p.survival })));
  return {
    title: options.title,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.6 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xTitle, scale: options.logX ? { type: 'log', nice: false } : { zero: false } },
      y: { field: 'survival', type: 'quantitative', title: 'P(X > x), log scale', scale: { type: 'log' }, axis: { format: '~g' } },
      color: { field: 'series', type: 'nominal', title: null, scale: colorScale(names) },
    },
  };
}

/**
 * The points a log axis can place: survival 0 (at the maximum) and, with
 * logX, x ≤ 0 are left out. A step-after line holds each value until the
 * next point, so without the maximum the last step (S = 1/n, from the
 * second-largest value to the largest) would not be drawn: the last value
 * is carried to the maximum's x instead.
 */
export function drawableSurvival(points: SurvivalSeries['points'], logX: boolean): { x: number; survival: number }[] {
  const kept = points.filter((p) => p.survival > 0 && (!logX || p.x > 0));
  const max = points[points.length - 1];
  const last = kept[kept.length - 1];
  if (max !== undefined && last !== undefined && max.survival === 0 && max.x > last.x) kept.push({ x: max.x, survival: last.survival });
  return kept;
}

export function qqChart(options: { title: string; xTitle: string; yTitle: string; points: ReadonlyArray<QqPoint> }): TopLevelSpec {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of options.points) {
    lo = Math.min(lo, p.x, p.y);
    hi = Math.max(hi, p.x, p.y);
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  const scale = { domain: [lo, hi], nice: true, zero: false };
  return {
    title: options.title,
    width: HEIGHT + 40,
    height: HEIGHT + 40,
    layer: [
      {
        data: { values: [{ v: lo }, { v: hi }] },
        mark: { type: 'line', color: '#8c959f', strokeDash: [4, 4], strokeWidth: 1 },
        encoding: {
          x: { field: 'v', type: 'quantitative', scale, title: options.xTitle },
          y: { field: 'v', type: 'quantitative', scale, title: options.yTitle },
        },
      },
      {
        data: { values: options.points.map((p) => ({ x: p.x, y: p.y, p: p.p })) },
        mark: { type: 'circle', size: 22, opacity: 0.8, color: SERIES_COLORS[1] },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale, title: options.xTitle },
          y: { field: 'y', type: 'quantitative', scale, title: options.yTitle },
          tooltip: [
            { field: 'p', type: 'quantitative', format: '.4f', title: 'quantile' },
            { field: 'x', type: 'quantitative', format: '.3f', title: options.xTitle },
            { field: 'y', type: 'quantitative', format: '.3f', title: options.yTitle },
          ],
        },
      },
    ],
  };
}

export function histogramChart(options: { title: string; xTitle: string; series: HistogramSeries[]; logX?: boolean }): TopLevelSpec {
  const names = options.series.map((s) => s.name);
  const values = options.series.flatMap((s) => s.bins.map((b) => ({ series: s.name, x0: b.x0, x1: b.x1, fraction: b.fraction })));
  return {
    title: options.title,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'rect', opacity: 0.55 },
    encoding: {
      x: { field: 'x0', type: 'quantitative', title: options.xTitle, scale: options.logX ? { type: 'log', nice: false } : { zero: false } },
      x2: { field: 'x1' },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of samples', stack: null, axis: { format: '.0%' } },
      y2: { datum: 0 },
      color: { field: 'series', type: 'nominal', title: null, scale: colorScale(names) },
    },
  };
}

/** Pixels per row in a strip; tall tracks are capped so one busy track cannot push the others off the page. */
const STRIP_ROW_PX = 8;
const STRIP_MAX_PX = 260;

export function intervalStripChart(options: { title: string; xTitle: string; tracks: StripTrack[]; domain?: [number, number] }): TopLevelSpec {
  const xScale = options.domain ? { domain: options.domain, nice: false, zero: false } : { zero: false };
  return {
    title: options.title,
    resolve: { scale: { x: 'shared' } },
    spacing: 6,
    vconcat: options.tracks.map((track, i) => {
      const rows = track.intervals.reduce((max, interval) => Math.max(max, interval.row + 1), 1);
      const isLast = i === options.tracks.length - 1;
      return {
        width: 2 * WIDTH + 120,
        height: Math.min(STRIP_MAX_PX, Math.max(24, rows * STRIP_ROW_PX)),
        data: { values: track.intervals.map((v) => ({ start: v.start, end: v.end, row: v.row, top: v.row + 0.85, label: v.label ?? '' })) },
        // clip: intervals reaching past the domain are cut at the plot edge.
        mark: {
          type: 'rect',
          color: track.color ?? SERIES_COLORS[i % SERIES_COLORS.length],
          opacity: 0.9,
          clip: true,
          ...(track.outline ? { stroke: 'white', strokeWidth: 0.5 } : {}),
        },
        encoding: {
          x: { field: 'start', type: 'quantitative', title: isLast ? options.xTitle : null, scale: xScale, axis: isLast ? {} : { labels: false, ticks: false } },
          x2: { field: 'end' },
          y: {
            field: 'row',
            type: 'quantitative',
            title: track.name,
            scale: { domain: [0, rows], nice: false, zero: true, reverse: true },
            // A horizontal title beside the strip: a rotated one would be taller than a thin strip and push the strips apart.
            axis: { labels: false, ticks: false, grid: false, titleAngle: 0, titleAlign: 'right', titleBaseline: 'middle', titleY: Math.min(STRIP_MAX_PX, Math.max(24, rows * STRIP_ROW_PX)) / 2 },
          },
          y2: { field: 'top' },
          tooltip: { field: 'label', type: 'nominal' },
        },
      };
    }),
  };
}
