import { outputFlagConflict, type ReportOutputFlags } from '../../report/output.js';
import { UsageError } from '../errors.js';

/** --json / --md / --html (commands/reportLatency.ts withReportOutputs): a conflicting combination is a usage error. */
export function checkReportOutputs(flags: ReportOutputFlags): void {
  const conflict = outputFlagConflict(flags);
  if (conflict) throw new UsageError(conflict);
}
