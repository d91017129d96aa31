import type { Command } from 'commander';
import { action } from '../run.js';
import { UsageError } from '../errors.js';
import { runDemo } from '../../demo/demo.js';
import { shouldUseColor } from '../../report/render/terminal.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('generate a capture and run every vcr stage on it, end to end (no input files needed)')
    .option('-o, --out <dir>', 'directory for the generated capture and every output', 'vcr-demo')
    .option('--seed <n>', 'generator seed (same seed, same capture)', '42')
    .option('--requests <n>', 'requests to simulate', '1200')
    .action(
      action(async (flags: { out: string; seed: string; requests: string }) => {
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
      }),
    );
}
