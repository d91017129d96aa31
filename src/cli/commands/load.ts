import { Option, type Command } from 'commander';
import { parseJobs } from '../jobs.js';
import { lazyAction } from '../run.js';
import { DEFAULT_DATABASE } from '../../sql/constants.js';
import type { InputKind } from '../../ingest/detect.js';

export const INPUT_KINDS: readonly InputKind[] = ['trace', 'step-stats', 'otlp'];

export const CAPTURE_GROUPING_HELP = `
Files of one invocation are grouped into captures: each engine trace is a
capture, and a step-stats sidecar or OTLP file joins the trace in its own
directory (by name prefix when the directory holds several traces, e.g.
run1.jsonl + run1-step-stats.jsonl), or the only trace given. Without a
trace, sidecar/OTLP files form one capture per directory.`;

export interface LoadFlags {
  db: string;
  replace?: boolean;
  kind?: InputKind;
  lenient?: boolean;
  jobs?: number;
}

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description('load captures (engine traces, step-stats sidecars, OTLP exports) into a DuckDB database for vcr sql')
    .argument('<files...>', 'input files, each kind detected from its content')
    .option('--db <file>', 'database file (created when missing)', DEFAULT_DATABASE)
    .option('--replace', 'reload captures already in the database (same content, or loaded from the same trace path) instead of skipping them')
    .addOption(new Option('--kind <kind>', 'treat every file as this kind instead of detecting it').choices(INPUT_KINDS))
    .option('--lenient', 'skip bad input lines (counted on stderr) instead of failing')
    .option('-j, --jobs <n>', 'threads reading an engine trace over 128 MB (plain, not gzip) in parts (default: the CPU count, at most 8; 1 = this thread only)', parseJobs)
    .addHelpText('after', `${CAPTURE_GROUPING_HELP}\n\nThe whole load is one transaction: on any error the database is left unchanged.`)
    .action(lazyAction(async () => (await import('../actions/load.js')).runLoad));
}
