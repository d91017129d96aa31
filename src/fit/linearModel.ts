/**
 * Ordinary least squares and ridge regression with an intercept, solved by
 * Householder QR (ml-matrix) — never by inverting X'X. Feature columns are
 * centred and scaled to unit standard deviation before the solve: the QR is
 * then well conditioned even when one feature is in tokens² and another a
 * 0–1 fraction, and the ridge penalty treats every feature alike. Results
 * are mapped back to the features' own units.
 *
 * Ridge objective (λ = `ridge`, dimensionless):
 *   (1/n)·Σ residual² + λ·Σ_j (b_j·sd_j)²       (intercept not penalised)
 * solved as least squares on X augmented with √(nλ)·I rows. λ = 0 is OLS.
 */
import { Matrix, QrDecomposition, inverse } from 'ml-matrix';

export interface LinearFit {
  /** Intercept first, then one coefficient per feature column, in target units per feature unit. */
  coefficients: Float64Array;
  /** Standard errors, parallel to `coefficients`. Under ridge: the sandwich form σ²·A·X'X·A (biased estimator, so an indication only). */
  stdErrors: Float64Array;
  /**
   * Heteroscedasticity-consistent (White/HC1) standard errors:
   * A·(Σ e_i²·x_i·x_iᵀ)·A · n/(n − p). Step times have multiplicative noise
   * (a long prefill step varies by more µs than a short decode step), which
   * makes the classical errors too small for the coefficients of large
   * features; these stay honest.
   */
  robustStdErrors: Float64Array;
  /** Trace of the hat matrix: p = columns + 1 for OLS, less under ridge. */
  effectiveParameters: number;
  /** Residual sum of squares / (n − effective parameters). */
  residualVariance: number;
}

/** Mean and population standard deviation of a column. */
export function columnMoments(column: Float64Array): { mean: number; sd: number } {
  const n = column.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += column[i];
  const mean = n > 0 ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (column[i] - mean) ** 2;
  return { mean, sd: n > 0 ? Math.sqrt(ss / n) : NaN };
}

/**
 * Fits y ≈ b0 + Σ b_j·x_j. The caller has removed constant and collinear
 * columns (identifiability.ts) and guarantees n > columns + 1; violating
 * either is a programming error and throws.
 */
export function fitLinear(columns: readonly Float64Array[], y: Float64Array, ridge = 0): LinearFit {
  const n = y.length;
  const k = columns.length;
  const p = k + 1;
  if (!(ridge >= 0) || !Number.isFinite(ridge)) throw new RangeError(`ridge penalty must be a finite number ≥ 0, got ${ridge}`);
  if (n <= p) throw new RangeError(`${n} samples cannot fit ${p} coefficients`);
  const moments = columns.map((column) => {
    if (column.length !== n) throw new RangeError('feature columns and target differ in length');
    const m = columnMoments(column);
    if (!(m.sd > 0)) throw new RangeError('a constant feature column reached the solver');
    return m;
  });

  const rows = ridge > 0 ? n + k : n;
  const design = new Matrix(rows, p);
  const target = new Matrix(rows, 1);
  for (let i = 0; i < n; i++) {
    design.set(i, 0, 1);
    for (let j = 0; j < k; j++) design.set(i, j + 1, (columns[j][i] - moments[j].mean) / moments[j].sd);
    target.set(i, 0, y[i]);
  }
  // Augmented rows √(nλ)·e_j: their squared residual adds nλ·c_j² to the sum of squares.
  for (let j = 0; ridge > 0 && j < k; j++) design.set(n + j, j + 1, Math.sqrt(n * ridge));

  const qr = new QrDecomposition(design);
  const standardized = qr.solve(target).getColumn(0);
  // (Xa'Xa)⁻¹ = R⁻¹R⁻ᵀ: R is p×p and triangular, so this inverts only a small, well-conditioned factor.
  const rInverse = inverse(qr.upperTriangularMatrix);
  const gramInverse = rInverse.mmul(rInverse.transpose());

  let rss = 0;
  // Meat of the sandwich: Σ e_i²·x_i·x_iᵀ over the data rows (standardized design).
  const meat = new Matrix(p, p);
  for (let i = 0; i < n; i++) {
    let fitted = standardized[0];
    for (let j = 0; j < k; j++) fitted += standardized[j + 1] * design.get(i, j + 1);
    const e2 = (y[i] - fitted) ** 2;
    rss += e2;
    for (let a = 0; a < p; a++) {
      const xa = design.get(i, a) * e2;
      for (let b = 0; b < p; b++) meat.set(a, b, meat.get(a, b) + xa * design.get(i, b));
    }
  }

  let covariance: Matrix;
  let effectiveParameters = p;
  if (ridge > 0) {
    const data = design.subMatrix(0, n - 1, 0, p - 1);
    const gram = data.transpose().mmul(data);
    const hatPart = gramInverse.mmul(gram);
    effectiveParameters = hatPart.trace();
    covariance = hatPart.mmul(gramInverse);
  } else {
    covariance = gramInverse;
  }
  const residualVariance = rss / (n - effectiveParameters);
  // ml-matrix's mul() scales in place: copy first, gramInverse is reused below.
  covariance = Matrix.mul(covariance, residualVariance);

  // b = T·c with b_j = c_j / sd_j and b_0 = c_0 − Σ c_j·mean_j / sd_j; Cov_b = T·Cov_c·Tᵀ.
  const transform = new Matrix(p, p);
  transform.set(0, 0, 1);
  for (let j = 0; j < k; j++) {
    transform.set(0, j + 1, -moments[j].mean / moments[j].sd);
    transform.set(j + 1, j + 1, 1 / moments[j].sd);
  }
  const coefficients = Float64Array.from(transform.mmul(Matrix.columnVector(standardized)).getColumn(0));
  const robustCovariance = Matrix.mul(gramInverse.mmul(meat).mmul(gramInverse), n / (n - effectiveParameters));
  return {
    coefficients,
    stdErrors: diagonalRoots(transform.mmul(covariance).mmul(transform.transpose())),
    robustStdErrors: diagonalRoots(transform.mmul(robustCovariance).mmul(transform.transpose())),
    effectiveParameters,
    residualVariance,
  };
}

function diagonalRoots(covariance: Matrix): Float64Array {
  const roots = new Float64Array(covariance.rows);
  for (let j = 0; j < roots.length; j++) roots[j] = Math.sqrt(Math.max(0, covariance.get(j, j)));
  return roots;
}

/** b0 + Σ b_j·x_j for one sample's feature values. */
export function predictLinear(coefficients: Float64Array, values: ArrayLike<number>): number {
  let sum = coefficients[0];
  for (let j = 0; j < values.length; j++) sum += coefficients[j + 1] * values[j];
  return sum;
}
