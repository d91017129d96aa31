/**
 * The installed package's root directory, found from this module's own
 * location (src/util/ when run from source, dist/src/util/ when built), so
 * files shipped beside the code — `protos/` — are found either way.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest ancestor of this module that holds `marker` (a path relative to the package root). */
export function packageRoot(marker: string): string {
  const here = fileURLToPath(import.meta.url);
  let dir = dirname(here);
  for (;;) {
    if (existsSync(join(dir, marker))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${marker} above ${here}`);
    dir = parent;
  }
}
