import { loadCapture } from '../../capture/load.js';
import type { Capture } from '../../capture/model.js';
import { analyzeCalibration, samplesDump } from '../../report/calibrate.js';
import { calibrateDocument } from '../../report/calibrateDocument.js';
import { emitReport, writeJsonFile } from '../../report/output.js';
import { formatPercent } from '../../report/render/format.js';
import type { CalibrateFlags } from '../commands/reportCalibrate.js';
import { CheckFailed, UsageError } from '../errors.js';
import { captureSourcesFromArgs } from './captureSources.js';
import { checkReportOutputs } from './reportOutputs.js';

async function loadSide(arg: string, role: string, lenient: boolean | undefined): Promise<Capture> {
  const sources = await captureSourcesFromArgs([arg], {});
  if (!sources.trace) throw new UsageError(`${role} ${arg}: no engine trace there (calibrate compares engine traces)`);
  return loadCapture({ trace: sources.trace }, { lenient });
}

/** `vcr report calibrate` (options: commands/reportCalibrate.ts). */
export async function runCalibrateReport(sourceArg: string, replayArg: string, flags: CalibrateFlags): Promise<void> {
  checkReportOutputs(flags);
  const source = await loadSide(sourceArg, 'source', flags.lenient);
  const replay = await loadSide(replayArg, 'replay', flags.lenient);
  const analysis = analyzeCalibration(source, replay, { tolerance: flags.tolerance, buckets: flags.buckets, minBucketRequests: flags.minBucketRequests });
  await emitReport(analysis.report, calibrateDocument(analysis), flags);
  if (flags.dumpSamples) {
    await writeJsonFile(samplesDump(analysis), flags.dumpSamples);
    process.stderr.write(`vcr: wrote ${flags.dumpSamples}\n`);
  }
  const { verdict, tolerance } = analysis.report;
  if (!verdict.pass) throw new CheckFailed(`calibration failed: ${verdict.failed} of ${verdict.checked} gated relative errors exceed ±${formatPercent(tolerance)}`);
}
