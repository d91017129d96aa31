import type { Command } from 'commander';
import { registerCalibrateReport } from './reportCalibrate.js';
import { registerFidelityReport } from './reportFidelity.js';
import { registerLatencyReport } from './reportLatency.js';
import { registerLifecycleReport } from './reportLifecycle.js';

/** `vcr report <kind>`: the canned reports, each a subcommand with its own flags. */
export function registerReport(program: Command): void {
  const report = program
    .command('report')
    .description('canned reports: latency, calibrate (source vs replay), fidelity (steps vs requests), lifecycle (journey stages)');
  registerLatencyReport(report);
  registerCalibrateReport(report);
  registerFidelityReport(report);
  registerLifecycleReport(report);
}
