/**
 * Which features the data can actually tell apart, checked before solving so
 * that an unidentifiable coefficient is reported as such instead of printed
 * as a confident-looking number.
 *
 * 1. A feature with no variation in the training rows is indistinguishable
 *    from the intercept ("constant": e.g. prefill tokens on a capture where
 *    no step ran prefill).
 * 2. Among the rest, the columns are centred and scaled to unit length and
 *    decomposed (SVD). A singular value below RANK_TOLERANCE × the largest
 *    means an exact linear dependency; the feature weighing most in that
 *    singular vector is set aside ("collinear", naming its partners) and the
 *    check repeats.
 * 3. The condition number of what remains (largest / smallest singular value
 *    of the unit-length centred columns, Belsley's scaling) is reported;
 *    above ILL_CONDITIONED the standard errors are inflated by collinearity.
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { columnMoments } from './linearModel.js';

/** Relative singular value below which columns count as exactly dependent. */
export const RANK_TOLERANCE = 1e-9;
/** Condition number above which the report warns that features are strongly collinear (Belsley: 30 moderate, 100 strong). */
export const ILL_CONDITIONED = 100;
/** A column whose sd is below this fraction of its magnitude is constant (floating-point noise is not variation). */
const CONSTANT_TOLERANCE = 1e-12;
/** Share of a dependency's singular vector above which a feature is named as a partner in it. */
const PARTNER_WEIGHT = 0.1;

export interface FeatureIssue {
  feature: string;
  reason: 'constant' | 'collinear';
  detail: string;
}

export interface Identifiability {
  /** Features that can be estimated, in the order given. */
  usable: string[];
  issues: FeatureIssue[];
  /** Rank of the centred feature columns given (excluding the intercept). */
  rank: number;
  columns: number;
  /** Of the usable columns; 1 with a single feature, NaN with none. */
  conditionNumber: number;
  illConditioned: boolean;
}

export function checkIdentifiability(names: readonly string[], columns: readonly Float64Array[]): Identifiability {
  const issues: FeatureIssue[] = [];
  let candidates: number[] = [];
  for (let j = 0; j < columns.length; j++) {
    const { mean, sd } = columnMoments(columns[j]);
    if (!(sd > CONSTANT_TOLERANCE * Math.max(1, Math.abs(mean)))) {
      const value = Number.isFinite(mean) ? `${+mean.toPrecision(6)}` : 'n/a';
      issues.push({
        feature: names[j],
        reason: 'constant',
        detail: `${names[j]} is constant (${value}) over the ${columns[j].length} training samples: its effect cannot be told apart from the intercept`,
      });
    } else {
      candidates.push(j);
    }
  }

  let singular = singularValues(columns, candidates);
  let rank = candidates.length;
  while (candidates.length > 0 && singular.values[singular.values.length - 1] < RANK_TOLERANCE * singular.values[0]) {
    const direction = singular.weakestDirection;
    let drop = 0;
    for (let i = 1; i < direction.length; i++) if (Math.abs(direction[i]) >= Math.abs(direction[drop])) drop = i;
    const largest = Math.abs(direction[drop]);
    const partners = candidates.filter((_, i) => i !== drop && Math.abs(direction[i]) >= PARTNER_WEIGHT * largest).map((j) => names[j]);
    const feature = names[candidates[drop]];
    issues.push({
      feature,
      reason: 'collinear',
      detail: `${feature} is an exact linear combination of ${partners.length > 0 ? partners.join(', ') : 'the other features'} (and the intercept) in the training samples: it was left out of the fit`,
    });
    candidates = candidates.filter((_, i) => i !== drop);
    rank--;
    singular = singularValues(columns, candidates);
  }

  const values = singular.values;
  const conditionNumber = values.length === 0 ? NaN : values[0] / values[values.length - 1];
  return {
    usable: candidates.map((j) => names[j]),
    issues,
    rank,
    columns: columns.length,
    conditionNumber,
    illConditioned: conditionNumber > ILL_CONDITIONED,
  };
}

/** Singular values (descending) of the chosen columns, centred and scaled to unit length, and the right singular vector of the smallest. */
function singularValues(columns: readonly Float64Array[], chosen: readonly number[]): { values: number[]; weakestDirection: number[] } {
  if (chosen.length === 0) return { values: [], weakestDirection: [] };
  const n = columns[chosen[0]].length;
  const matrix = new Matrix(n, chosen.length);
  chosen.forEach((j, c) => {
    const { mean } = columnMoments(columns[j]);
    let norm = 0;
    for (let i = 0; i < n; i++) norm += (columns[j][i] - mean) ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) matrix.set(i, c, (columns[j][i] - mean) / norm);
  });
  const svd = new SingularValueDecomposition(matrix, { computeLeftSingularVectors: false, autoTranspose: true });
  const values = svd.diagonal;
  const last = values.length - 1;
  return { values, weakestDirection: svd.rightSingularVectors.getColumn(last) };
}
