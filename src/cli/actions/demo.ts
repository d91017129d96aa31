import { runDemo } from '../../demo/demo.js';
import { shouldUseColor } from '../../report/render/terminal.js';
import type { DemoFlags } from '../commands/demo.js';
import { UsageError } from '../errors.js';

/** `vcr demo` (options: commands/demo.ts). */
export async function runDemoCommand(flags: DemoFlags): Promise<void> {
  const seed = Number(flags.seed);
  const requests = Number(flags.requests);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer (got ${flags.seed})`);
  if (!Number.isInteger(requests) || requests < 1) throw new UsageError(`--requests must be a positive integer (got ${flags.requests})`);
  const started = performance.now();
  await runDemo({
    outDir: flags.out,
    seed,
    requests,
    color: shouldUseColor(process.stdout, process.env),
    print: (text) => process.stdout.write(`${text}\n`),
  });
  process.stdout.write(`\ndemo finished in ${((performance.now() - started) / 1000).toFixed(1)} s; everything is in ${flags.out}/\n`);
}
