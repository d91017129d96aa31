/**
 * Writes a coefficient file atomically (util/atomicWrite.ts): a refused or
 * failed export never leaves a partial file behind. The format follows the
 * extension (.yaml / .yml / .json).
 */
import { writeAtomically } from '../util/atomicWrite.js';
import { ExportError, coefficientFormatOf, fitReportJson, simulatorYaml, type CoefficientFormat, type SimulatorIdentity } from './export.js';
import type { FitReport } from './fitCapture.js';

export async function writeCoefficientFile(path: string, report: FitReport, identity: SimulatorIdentity): Promise<CoefficientFormat> {
  const format = coefficientFormatOf(path);
  if (format === undefined) throw new ExportError(`${path}: the coefficient file must end in .yaml, .yml or .json`);
  // Build the text first: a refused export must not even create the temp file.
  const text = format === 'yaml' ? simulatorYaml(report, identity) : fitReportJson(report, identity);
  await writeAtomically(path, async (file) => {
    await file.write(text);
  });
  return format;
}
