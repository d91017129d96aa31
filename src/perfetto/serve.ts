/**
 * `vcr proto --open`: serves one trace file to ui.perfetto.dev.
 *
 * The server binds 127.0.0.1 only (the host is not a parameter, so a
 * non-loopback bind cannot be asked for), serves the file at an unguessable
 * path (a random 128-bit token), allows CORS for https://ui.perfetto.dev and
 * no other origin, answers the browser's preflight (including Chrome's
 * private-network-access request, since an https page is fetching from
 * loopback), and answers everything else with 404.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { randomBytes } from 'node:crypto';

export const LOOPBACK = '127.0.0.1';
export const PERFETTO_UI_ORIGIN = 'https://ui.perfetto.dev';

export interface TraceServer {
  /** Where the file is served: http://127.0.0.1:PORT/TOKEN/NAME. */
  url: string;
  /** The Perfetto UI link that opens it. */
  uiUrl: string;
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** TCP port; 0 or absent lets the OS choose. */
  port?: number;
}

export function perfettoUiLink(traceUrl: string): string {
  return `${PERFETTO_UI_ORIGIN}/#!/?url=${traceUrl}`;
}

function corsHeaders(): Record<string, string> {
  return { 'Access-Control-Allow-Origin': PERFETTO_UI_ORIGIN, Vary: 'Origin' };
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'Content-Length': '0' }).end();
}

export async function startTraceServer(path: string, options: ServeOptions = {}): Promise<TraceServer> {
  const { size } = await stat(path);
  const token = randomBytes(16).toString('hex');
  const servedPath = `/${token}/${encodeURIComponent(basename(path))}`;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const requestPath = (request.url ?? '').split('?')[0];
    if (requestPath !== servedPath) return notFound(response);
    if (request.method === 'OPTIONS') {
      const headers: Record<string, string> = {
        ...corsHeaders(),
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Max-Age': '600',
        'Content-Length': '0',
      };
      const requestedHeaders = request.headers['access-control-request-headers'];
      if (typeof requestedHeaders === 'string') headers['Access-Control-Allow-Headers'] = requestedHeaders;
      if (request.headers['access-control-request-private-network'] === 'true') headers['Access-Control-Allow-Private-Network'] = 'true';
      response.writeHead(204, headers).end();
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return notFound(response);
    response.writeHead(200, {
      ...corsHeaders(),
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(size),
      'Cache-Control': 'no-store',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(path)
      .on('error', () => response.destroy())
      .pipe(response);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${LOOPBACK}:${port}${servedPath}`;
  return {
    url,
    uiUrl: perfettoUiLink(url),
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Best effort: asks the desktop to open `url`; a missing opener (headless machine) is fine. */
export function tryOpenBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener: the printed link is enough.
  }
}

/** Resolves on the first SIGINT (Ctrl-C), after which the caller closes the server and exits 0. */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => process.once('SIGINT', () => resolve()));
}
