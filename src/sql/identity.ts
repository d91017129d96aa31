/**
 * A capture's identity is the content of its input files, not their names:
 * loading the same bytes again (from any path) finds the existing capture
 * instead of duplicating it. The hash covers each file's role too, so a
 * trace and the same bytes given as a sidecar are different captures.
 * Compressed files are hashed as stored (a .gz and its plain twin differ).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { CaptureSources } from '../capture/load.js';

export interface CaptureIdentity {
  /** Absolute paths of the capture's files. */
  sources: CaptureSources;
  /** SHA-256 hex over `role:sha256(file)` lines, roles in the fixed order trace, step-stats, otlp. */
  contentHash: string;
}

const ROLES = [
  ['trace', 'trace'],
  ['step-stats', 'stepStats'],
  ['otlp', 'otlp'],
] as const;

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function identifyCapture(sources: CaptureSources): Promise<CaptureIdentity> {
  const whole = createHash('sha256');
  for (const [role, key] of ROLES) {
    const path = sources[key];
    if (path !== undefined) whole.update(`${role}:${await sha256OfFile(path)}\n`);
  }
  return { sources, contentHash: whole.digest('hex') };
}
