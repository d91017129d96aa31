#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT_USAGE, reportError } from './run.js';
import { registerConvert } from './commands/convert.js';
import { registerDemo } from './commands/demo.js';
import { registerExport } from './commands/export.js';
import { registerFit } from './commands/fit.js';
import { registerGen } from './commands/gen.js';
import { registerInfo } from './commands/info.js';
import { registerLoad } from './commands/load.js';
import { registerProto } from './commands/proto.js';
import { registerReport } from './commands/report.js';
import { registerSql } from './commands/sql.js';

const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

function buildProgram(): Command {
  const program = new Command('vcr')
    .description(
      "Explain an inference engine's latency. Captures in (engine trace, step-stats sidecar, vLLM OpenTelemetry " +
        'journey/step traces); native Perfetto traces, DuckDB SQL, alpha/beta fits and latency, calibration, ' +
        'fidelity and lifecycle reports out.',
    )
    .version(packageJson.version)
    .showHelpAfterError('(run with --help for usage)')
    // Commander exits 1 on usage errors; vcr reserves 1 for bad input and failed checks (design.md), so usage is 2.
    .exitOverride();
  registerDemo(program);
  registerGen(program);
  registerConvert(program);
  registerInfo(program);
  registerProto(program);
  registerLoad(program);
  registerSql(program);
  registerExport(program);
  registerReport(program);
  registerFit(program);
  return program;
}

/** `vcr ... | head` closes the pipe early: stop quietly, as Unix tools do, instead of an EPIPE stack trace. */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

async function main(): Promise<void> {
  exitQuietlyOnClosedPipe(process.stdout);
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    process.exitCode = reportError(error);
  }
}

await main();
