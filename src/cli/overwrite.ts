import { resolve } from 'node:path';
import { STDOUT } from '../perfetto/byteOutput.js';

/**
 * True when `output` (a path, or '-' for stdout) names one of the input
 * files: the atomic rename would replace an input the command is reading.
 */
export function overwritesInput(output: string, inputs: readonly (string | undefined)[]): boolean {
  return output !== STDOUT && inputs.some((input) => input !== undefined && resolve(input) === resolve(output));
}
