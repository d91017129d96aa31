/**
 * `npm run bench`: every benchmark in turn (never part of `npm test`).
 * `node dist/bench/run.js NAME...` runs only the named ones.
 */
import { runArrowInsertBench } from './arrowInsert.js';
import { runLoadBench } from './load.js';

const BENCHES: readonly (readonly [string, () => Promise<void>])[] = [
  ['load', runLoadBench],
  ['arrow-insert', runArrowInsertBench],
];

const only = process.argv.slice(2);
for (const [name, run] of BENCHES) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`== ${name}\n`);
  await run();
}
