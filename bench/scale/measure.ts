/**
 * Runs a command as a child process and measures its wall time, its peak
 * resident set (with GNU time's "Maximum resident set size" when
 * /usr/bin/time exists, else by polling VmHWM in /proc/PID/status) and the
 * bytes it wrote to stdout (counted, not kept).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export interface RunResult {
  wallMs: number;
  /** Peak RSS in bytes; NaN when it could not be measured. */
  peakRss: number;
  stdoutBytes: number;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';
const HWM_POLL_MS = 20;

function vmHwmBytes(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

export async function run(command: string, args: string[]): Promise<RunResult> {
  const gnuTime = existsSync(GNU_TIME);
  const [file, argv] = gnuTime ? [GNU_TIME, ['-v', command, ...args]] : [command, args];
  const started = performance.now();
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdoutBytes = 0;
  let stderr = '';
  let polled = NaN;
  const poll = gnuTime ? undefined : setInterval(() => {
    const hwm = vmHwmBytes(child.pid ?? -1);
    if (!Number.isNaN(hwm)) polled = Number.isNaN(polled) ? hwm : Math.max(polled, hwm);
  }, HWM_POLL_MS);
  child.stdout.on('data', (chunk: Buffer) => (stdoutBytes += chunk.length));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exit) => resolve(exit ?? -1));
  });
  const wallMs = performance.now() - started;
  if (poll) clearInterval(poll);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr}`);
  const reported = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const peakRss = reported ? Number(reported[1]) * 1024 : polled;
  return { wallMs, peakRss, stdoutBytes, stderr };
}
