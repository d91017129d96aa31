import { execFileSync } from 'node:child_process';

/**
 * CLI tests run the built `vcr` (dist/) as a user would, so compile the
 * current sources once before any test file starts.
 */
export default function buildCli(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
