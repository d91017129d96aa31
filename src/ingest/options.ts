import { InputError, type LenientLog, type WarningSink } from './errors.js';

/** Options shared by the line-oriented readers (engine trace, step stats). */
export interface ReaderOptions {
  /** `--lenient`: log and skip bad lines instead of failing on the first one. */
  lenient?: LenientLog;
  /** Where non-fatal warnings go (a truncated gzip tail); stderr by default. */
  warn?: WarningSink;
}

/**
 * Called with the error a bad line raised: in lenient mode an input error is
 * logged and the line skipped; otherwise (or for anything that is not an
 * input error, i.e. a bug) the error ends the read.
 */
export function skipOrRethrow(error: unknown, options: ReaderOptions): void {
  if (options.lenient && error instanceof InputError) {
    options.lenient.record(error);
    return;
  }
  throw error;
}
