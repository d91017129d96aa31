import { resolve } from 'node:path';
import { convertBenchmarkFile } from '../../convert/index.js';
import { STDOUT } from '../../convert/output.js';
import type { BenchmarkSource } from '../../convert/sources.js';
import { formatConvertSummary } from '../../convert/summary.js';
import type { ConvertFlags } from '../commands/convert.js';
import { UsageError } from '../errors.js';

/** `vcr convert` (options: commands/convert.ts). */
export async function runConvert(source: BenchmarkSource, input: string, flags: ConvertFlags): Promise<void> {
  if (flags.benchmark !== undefined && source !== 'guidellm') throw new UsageError('--benchmark applies to guidellm reports only');
  if (flags.output !== STDOUT && resolve(flags.output) === resolve(input)) throw new UsageError(`output ${flags.output} would overwrite the input; give another -o`);
  const summary = await convertBenchmarkFile({ source, input, output: flags.output, benchmark: flags.benchmark });
  process.stderr.write(formatConvertSummary(summary));
}
