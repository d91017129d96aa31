import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOPBACK, PERFETTO_UI_ORIGIN, startTraceServer, untilInterrupted, type TraceServer } from '../../src/perfetto/serve.js';
import { useTempDir } from './fixtures.js';

describe('startTraceServer (--open)', () => {
  const dir = useTempDir();
  const body = Buffer.from([0x0a, 0x02, 0x50, 0x01, 0xff, 0x00]);
  let server: TraceServer;
  beforeAll(async () => {
    const path = join(dir, 'trace.pftrace');
    writeFileSync(path, body);
    server = await startTraceServer(path);
  });
  afterAll(() => server.close());

  it('binds 127.0.0.1 on an OS-chosen port and serves at a random 128-bit path', () => {
    const url = new URL(server.url);
    expect(url.hostname).toBe(LOOPBACK);
    expect(url.port).toBe(String(server.port));
    expect(server.port).toBeGreaterThan(0);
    expect(url.pathname).toMatch(/^\/[0-9a-f]{32}\/trace\.pftrace$/);
    expect(server.uiUrl).toBe(`https://ui.perfetto.dev/#!/?url=${server.url}`);
  });

  it('serves the file with CORS for ui.perfetto.dev only', async () => {
    const response = await fetch(server.url, { headers: { Origin: PERFETTO_UI_ORIGIN } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://ui.perfetto.dev');
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-length')).toBe(String(body.length));
    expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
  });

  it('answers the CORS preflight, including private-network access', async () => {
    const response = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { Origin: PERFETTO_UI_ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Private-Network': 'true' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(PERFETTO_UI_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toContain('GET');
    expect(response.headers.get('access-control-allow-private-network')).toBe('true');
  });

  it('answers 404, without CORS headers, for any other path or method', async () => {
    const url = new URL(server.url);
    const others = [
      `http://${LOOPBACK}:${server.port}/`,
      `http://${LOOPBACK}:${server.port}/trace.pftrace`,
      // The token with its first digit changed (to 1 when it already is 0: the token is random).
      `http://${LOOPBACK}:${server.port}${url.pathname.replace(/^\/([0-9a-f])/, (_, digit: string) => (digit === '0' ? '/1' : '/0'))}`,
      `http://${LOOPBACK}:${server.port}${url.pathname}/x`,
      `http://${LOOPBACK}:${server.port}${url.pathname.split('/').slice(0, 2).join('/')}/other.pftrace`,
    ];
    for (const other of others) {
      const response = await fetch(other);
      expect(response.status, other).toBe(404);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect((await fetch(server.url, { method: 'POST', body: 'x' })).status).toBe(404);
  });

  it('uses the requested port and always binds loopback (the host is not an option)', async () => {
    // @ts-expect-error a bind address cannot be given
    const ignored = await startTraceServer(join(dir, 'trace.pftrace'), { host: '0.0.0.0' });
    expect(new URL(ignored.url).hostname).toBe(LOOPBACK);
    await ignored.close();
    const probe = await startTraceServer(join(dir, 'trace.pftrace'));
    const port = probe.port;
    await probe.close();
    const fixed = await startTraceServer(join(dir, 'trace.pftrace'), { port });
    try {
      expect(fixed.port).toBe(port);
      expect(new URL(fixed.url).hostname).toBe('127.0.0.1');
      expect((await fetch(fixed.url)).status).toBe(200);
    } finally {
      await fixed.close();
    }
  });

  it('waits for Ctrl-C (SIGINT) before the command closes the server', async () => {
    let interrupted = false;
    const waiting = untilInterrupted().then(() => {
      interrupted = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(interrupted).toBe(false);
    process.emit('SIGINT');
    await waiting;
    expect(interrupted).toBe(true);
  });
});
