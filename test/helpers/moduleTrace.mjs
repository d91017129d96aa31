/**
 * `node --import THIS_FILE` (or NODE_OPTIONS="--import=URL") with
 * VCR_MODULE_TRACE=FILE: appends the URL of every module the program imports
 * (ESM resolution, which covers every package entry point) to FILE, one per
 * line. test/cli/startup.test.ts uses it to check that commands do not load
 * heavy dependencies they do not need.
 */
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// On the main thread: install this same file as the module hooks (they run on a hooks thread).
if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const out = process.env.VCR_MODULE_TRACE;
  if (out) appendFileSync(out, `${result.url}\n`);
  return result;
}
