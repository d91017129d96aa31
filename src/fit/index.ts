/**
 * The fit stage's public surface (docs/fit.md): fit a capture, render the
 * report, export coefficient files.
 */
export { fitCapture, resolveFitSettings, FIT_SCHEMA, type FitOptions, type FitReport } from './fitCapture.js';
export { FIT_DEFAULTS, FIT_TARGETS, STEP_SOURCE_CHOICES, type FitTarget } from './options.js';
export { parseFeatureList, FeatureListError, type FeatureSelection } from './features.js';
export { fitReportDocument, renderFitReport, type FitRenderFormat } from './render.js';
export { ExportError, fitReportJson, resolveIdentity, simulatorYaml, coefficientFormatOf, type SimulatorIdentity } from './export.js';
export { writeCoefficientFile } from './exportFile.js';
export type { ModelFit, CoefficientEstimate } from './modelFit.js';
export type { PredictionCheck } from './predictionCheck.js';
export type { SimulatorCoefficients } from './simulatorCoefficients.js';
