import { convertBenchmarkFile } from '../../convert/index.js';
import type { BenchmarkSource } from '../../convert/sources.js';
import { formatConvertSummary } from '../../convert/summary.js';
import type { ConvertFlags } from '../commands/convert.js';
import { UsageError } from '../errors.js';
import { overwritesInput } from '../overwrite.js';

/** `vcr convert` (options: commands/convert.ts). */
export async function runConvert(source: BenchmarkSource, input: string, flags: ConvertFlags): Promise<void> {
  if (flags.benchmark !== undefined && source !== 'guidellm') throw new UsageError('--benchmark applies to guidellm reports only');
  if (overwritesInput(flags.output, [input])) throw new UsageError(`output ${flags.output} would overwrite the input; give another -o`);
  const summary = await convertBenchmarkFile({ source, input, output: flags.output, benchmark: flags.benchmark });
  process.stderr.write(formatConvertSummary(summary));
}
