import type { Command } from 'commander';
import { lazyAction } from '../run.js';

export interface DemoFlags {
  out: string;
  seed: string;
  requests: string;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('generate a capture and run every vcr stage on it, end to end (no input files needed)')
    .option('-o, --out <dir>', 'directory for the generated capture and every output', 'vcr-demo')
    .option('--seed <n>', 'generator seed (same seed, same capture)', '42')
    .option('--requests <n>', 'requests to simulate', '1200')
    .action(lazyAction(async () => (await import('../actions/demo.js')).runDemoCommand));
}
