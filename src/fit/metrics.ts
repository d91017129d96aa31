/**
 * Goodness of fit on one set of samples (training or holdout). Residual =
 * observed − predicted, in the target's unit (µs). Quantiles are nearest
 * rank (stats/percentile.ts), the definition every vcr report shares.
 */
import { nearestRank } from '../stats/percentile.js';

export const RESIDUAL_QUANTILES = [0.01, 0.05, 0.5, 0.95, 0.99] as const;

export interface FitMetrics {
  n: number;
  /** 1 − SS_res / SS_tot around this set's own mean; NaN when the target is constant. */
  r2: number;
  rmse: number;
  /** Mean |residual| / |observed| in percent, over the samples whose observed value is not 0. */
  mapePct: number;
  /** Samples MAPE was computed over. */
  mapeN: number;
  meanResidual: number;
  /** Keys p1, p5, p50, p95, p99. */
  residualQuantiles: Record<string, number>;
}

export function quantileKey(p: number): string {
  return `p${+(p * 100).toFixed(3)}`;
}

export function fitMetrics(observed: Float64Array, predicted: Float64Array): FitMetrics {
  const n = observed.length;
  const residuals = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += observed[i];
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  let residualSum = 0;
  let apeSum = 0;
  let mapeN = 0;
  for (let i = 0; i < n; i++) {
    const r = observed[i] - predicted[i];
    residuals[i] = r;
    ssRes += r * r;
    ssTot += (observed[i] - mean) ** 2;
    residualSum += r;
    if (observed[i] !== 0) {
      apeSum += Math.abs(r / observed[i]);
      mapeN++;
    }
  }
  residuals.sort();
  const residualQuantiles: Record<string, number> = {};
  for (const p of RESIDUAL_QUANTILES) residualQuantiles[quantileKey(p)] = nearestRank(residuals, p);
  return {
    n,
    r2: ssTot > 0 ? 1 - ssRes / ssTot : NaN,
    rmse: n > 0 ? Math.sqrt(ssRes / n) : NaN,
    mapePct: mapeN > 0 ? (100 * apeSum) / mapeN : NaN,
    mapeN,
    meanResidual: n > 0 ? residualSum / n : NaN,
    residualQuantiles,
  };
}
