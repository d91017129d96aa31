import { describe, expect, it } from 'vitest';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { fitLinear, predictLinear } from '../../src/fit/linearModel.js';
import { fitMetrics } from '../../src/fit/metrics.js';

/** Deterministic pseudo-random numbers in [0, 1) (LCG): tests need no seed library. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Normal equations solved by Cholesky: the closed form, computed a second way. */
function normalEquations(columns: Float64Array[], y: Float64Array): { beta: number[]; xtxInverse: Matrix } {
  const n = y.length;
  const x = new Matrix(n, columns.length + 1);
  for (let i = 0; i < n; i++) {
    x.set(i, 0, 1);
    columns.forEach((c, j) => x.set(i, j + 1, c[i]));
  }
  const xtx = x.transpose().mmul(x);
  const cholesky = new CholeskyDecomposition(xtx);
  const beta = cholesky.solve(x.transpose().mmul(Matrix.columnVector(Array.from(y)))).getColumn(0);
  return { beta, xtxInverse: cholesky.solve(Matrix.eye(columns.length + 1)) };
}

describe('fitLinear (OLS via QR)', () => {
  // Textbook example: x = 1..5, y = 2,4,5,4,5 → ŷ = 2.2 + 0.6x, RSS = 2.4, σ² = 0.8, Sxx = 10.
  const x = Float64Array.from([1, 2, 3, 4, 5]);
  const y = Float64Array.from([2, 4, 5, 4, 5]);

  it('gets the textbook coefficients and standard errors', () => {
    const fit = fitLinear([x], y);
    expect(fit.coefficients[0]).toBeCloseTo(2.2, 12);
    expect(fit.coefficients[1]).toBeCloseTo(0.6, 12);
    // SE(b1) = √(σ²/Sxx) = √0.08; SE(b0) = √(σ²(1/n + x̄²/Sxx)) = √0.88.
    expect(fit.stdErrors[1]).toBeCloseTo(Math.sqrt(0.08), 12);
    expect(fit.stdErrors[0]).toBeCloseTo(Math.sqrt(0.88), 12);
    expect(fit.residualVariance).toBeCloseTo(0.8, 12);
    expect(fit.effectiveParameters).toBe(2);
  });

  it('gets the White (HC1) standard errors computed by hand', () => {
    // Residuals −0.8, 0.6, 1, −0.6, −0.2. Var(b1) = Σ(x−x̄)²e² / Sxx² · n/(n−p) = 3.44/100 · 5/3.
    // Var(b0) = Σ w²e² · 5/3 with w = 1/n − x̄(x−x̄)/Sxx = 0.8, 0.5, 0.2, −0.1, −0.4 → 0.5496 · 5/3.
    const fit = fitLinear([x], y);
    expect(fit.robustStdErrors[1]).toBeCloseTo(Math.sqrt((3.44 / 100) * (5 / 3)), 12);
    expect(fit.robustStdErrors[0]).toBeCloseTo(Math.sqrt(0.5496 * (5 / 3)), 12);
  });

  it('gets the textbook R², RMSE and MAPE', () => {
    const fit = fitLinear([x], y);
    const predicted = Float64Array.from(x, (v) => predictLinear(fit.coefficients, [v]));
    const m = fitMetrics(y, predicted);
    expect(m.r2).toBeCloseTo(1 - 2.4 / 6, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(2.4 / 5), 12);
    expect(m.mapePct).toBeCloseTo((100 * (0.8 / 2 + 0.6 / 4 + 1 / 5 + 0.6 / 4 + 0.2 / 5)) / 5, 12);
    expect(m.meanResidual).toBeCloseTo(0, 12);
    expect(m.residualQuantiles.p50).toBeCloseTo(-0.2, 12);
    expect(m.residualQuantiles.p99).toBeCloseTo(1, 12);
  });

  it('recovers exact coefficients when y is an exact linear function', () => {
    const rand = lcg(7);
    const n = 60;
    const columns = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => rand() * 1000));
    const truth = [6000, 25, 35, 0.04];
    const yExact = Float64Array.from({ length: n }, (_, i) => truth[0] + truth[1] * columns[0][i] + truth[2] * columns[1][i] + truth[3] * columns[2][i]);
    const fit = fitLinear(columns, yExact);
    truth.forEach((t, j) => expect(fit.coefficients[j]).toBeCloseTo(t, 8));
    for (const se of fit.stdErrors) expect(se).toBeLessThan(1e-6);
  });

  it('matches the normal-equation closed form (Cholesky) on noisy data, coefficients and covariance', () => {
    const rand = lcg(11);
    const n = 200;
    const columns = [Float64Array.from({ length: n }, () => rand() * 2048), Float64Array.from({ length: n }, () => Math.floor(rand() * 64))];
    const yNoisy = Float64Array.from({ length: n }, (_, i) => 6000 + 25 * columns[0][i] + 35 * columns[1][i] + (rand() - 0.5) * 400);
    const fit = fitLinear(columns, yNoisy);
    const closed = normalEquations(columns, yNoisy);
    closed.beta.forEach((b, j) => expect(fit.coefficients[j]).toBeCloseTo(b, 6));
    closed.beta.forEach((_, j) => expect(fit.stdErrors[j]).toBeCloseTo(Math.sqrt(fit.residualVariance * closed.xtxInverse.get(j, j)), 8));
  });

  it('refuses constant columns and too few samples (the caller must check identifiability first)', () => {
    expect(() => fitLinear([Float64Array.from([1, 1, 1, 1])], Float64Array.from([1, 2, 3, 4]))).toThrow(/constant/);
    expect(() => fitLinear([x], Float64Array.from([1, 2]))).toThrow(RangeError);
  });
});

describe('fitLinear (ridge)', () => {
  const rand = lcg(3);
  const n = 120;
  const columns = [Float64Array.from({ length: n }, () => rand() * 100), Float64Array.from({ length: n }, () => rand() * 10)];
  const y = Float64Array.from({ length: n }, (_, i) => 50 + 2 * columns[0][i] - 3 * columns[1][i] + (rand() - 0.5) * 20);
  const sds = columns.map((c) => {
    const mean = c.reduce((a, b) => a + b, 0) / n;
    return Math.sqrt(c.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  });
  const standardizedNorm = (coefficients: Float64Array) => Math.hypot(...columns.map((_, j) => coefficients[j + 1] * sds[j]));

  it('equals OLS at λ = 0', () => {
    const ols = fitLinear(columns, y);
    const ridge = fitLinear(columns, y, 0);
    ols.coefficients.forEach((b, j) => expect(ridge.coefficients[j]).toBe(b));
  });

  it('shrinks the standardized coefficients monotonically as λ grows, towards an intercept-only model', () => {
    const lambdas = [0, 0.01, 0.1, 1, 10, 1e6];
    const norms = lambdas.map((lambda) => standardizedNorm(fitLinear(columns, y, lambda).coefficients));
    for (let i = 1; i < norms.length; i++) expect(norms[i]).toBeLessThan(norms[i - 1]);
    const huge = fitLinear(columns, y, 1e9);
    expect(Math.abs(huge.coefficients[1])).toBeLessThan(1e-6);
    expect(huge.coefficients[0]).toBeCloseTo(y.reduce((a, b) => a + b, 0) / n, 4);
    expect(fitLinear(columns, y, 1).effectiveParameters).toBeLessThan(3);
  });

  it('solves (Z\'Z + nλ·D)c = Z\'y on the standardized design', () => {
    const lambda = 0.5;
    const fit = fitLinear(columns, y, lambda);
    const means = columns.map((c) => c.reduce((a, b) => a + b, 0) / n);
    const z = new Matrix(n, 3);
    for (let i = 0; i < n; i++) {
      z.set(i, 0, 1);
      for (let j = 0; j < 2; j++) z.set(i, j + 1, (columns[j][i] - means[j]) / sds[j]);
    }
    const penalty = Matrix.diag([0, n * lambda, n * lambda]);
    const c = new CholeskyDecomposition(z.transpose().mmul(z).add(penalty)).solve(z.transpose().mmul(Matrix.columnVector(Array.from(y)))).getColumn(0);
    expect(fit.coefficients[1]).toBeCloseTo(c[1] / sds[0], 8);
    expect(fit.coefficients[2]).toBeCloseTo(c[2] / sds[1], 8);
    expect(fit.coefficients[0]).toBeCloseTo(c[0] - (c[1] * means[0]) / sds[0] - (c[2] * means[1]) / sds[1], 6);
  });
});
