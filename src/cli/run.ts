import { InputError } from '../ingest/errors.js';
import { CheckFailed, UsageError } from './errors.js';

/** Exit codes shared by every command (design.md). */
export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 1;
export const EXIT_USAGE = 2;

/**
 * Wraps a command action so that expected failures print one line on stderr
 * and set the exit code instead of surfacing a stack trace. Anything else is
 * a bug in vcr and keeps its stack (set VCR_DEBUG=1 to see stacks for all).
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}

/**
 * `action` for an implementation in a module of its own (src/cli/actions/),
 * imported only when the command runs: every `vcr` invocation registers every
 * command, and registering must not load DuckDB, Vega, Arrow or ml-matrix.
 *
 *   .action(lazyAction(async () => (await import('../actions/proto.js')).runProto))
 */
export function lazyAction<A extends unknown[]>(load: () => Promise<(...args: A) => Promise<void> | void>): (...args: A) => Promise<void> {
  return action(async (...args: A) => {
    const run = await load();
    await run(...args);
  });
}

export function reportError(error: unknown): number {
  if (process.env.VCR_DEBUG) console.error(error);
  if (error instanceof UsageError) {
    process.stderr.write(`vcr: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof InputError || error instanceof CheckFailed) {
    process.stderr.write(`vcr: ${error.message}\n`);
    return EXIT_BAD_INPUT;
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOSPC') {
    process.stderr.write(`vcr: ${(error as Error).message}\n`);
    return EXIT_BAD_INPUT;
  }
  process.stderr.write(`vcr: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
  return EXIT_BAD_INPUT;
}
