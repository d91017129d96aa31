/** The stderr report of a conversion: one summary line, then the first skip reasons and any notes. */
import { STDOUT } from '../perfetto/byteOutput.js';
import type { ConvertSummary } from './index.js';

export function formatConvertSummary(summary: ConvertSummary): string {
  const target = summary.output === STDOUT ? 'stdout' : summary.output;
  const { skipped } = summary;
  const skips = skipped.total === 0 ? 'skipped none' : `skipped ${skipped.total} (${skipped.countsText()})`;
  const lines = [`${summary.source}: wrote ${summary.written} request(s) to ${target}; ${skips}`];
  for (const example of skipped.examples) lines.push(`  skipped ${example}`);
  if (skipped.total > skipped.examples.length) lines.push('  ...');
  for (const note of summary.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}
