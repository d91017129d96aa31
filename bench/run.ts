/**
 * `npm run bench`: every benchmark in turn (never part of `npm test`).
 * `node dist/bench/run.js [--quick] NAME...` runs only the named ones;
 * `--quick` asks the benches that support it for a shorter run.
 */
import { runArrowInsertBench } from './arrowInsert.js';
import { runLoadBench } from './load.js';
import { runScaleBench } from './scale.js';

interface BenchOptions {
  quick: boolean;
}

const BENCHES: readonly (readonly [string, (options: BenchOptions) => Promise<void>])[] = [
  ['load', runLoadBench],
  ['arrow-insert', runArrowInsertBench],
  ['scale', runScaleBench],
];

const args = process.argv.slice(2);
const options: BenchOptions = { quick: args.includes('--quick') };
const only = args.filter((arg) => !arg.startsWith('--'));
for (const [name, run] of BENCHES) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`== ${name}\n`);
  await run(options);
}
