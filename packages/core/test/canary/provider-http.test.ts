/**
 * The HTTP JSON metrics provider against a loopback server: GET and POST requests carry the window,
 * replies are checked against the window schema, and every failure is ok:false with a reason.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { httpMetricsProvider } from '../../src/canary/http-provider.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let server: Server;
let base: string;
const seen: Seen[] = [];
let reply: { status: number; body: string; hang?: boolean } = { status: 200, body: '{}' };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (reply.hang === true) return; // never answers: the client's timeout must fire
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
);
beforeEach(() => {
  seen.length = 0;
});

const window = { start: new Date('2025-06-02T10:00:00Z'), end: new Date('2025-06-02T10:01:00Z'), weight: 25 };
const good = { canary: { requests: 500, errors: 3, slow: 20 }, baseline: { requests: 1500, errors: 7, slow: 45 }, guards: { p99Ms: 180 } };

describe('HTTP JSON provider', () => {
  it('GET: the window in the query string, the reply as a sample', async () => {
    reply = { status: 200, body: JSON.stringify(good) };
    const p = httpMetricsProvider({ url: `${base}/canary?service=checkout`, headers: { authorization: 'Bearer t0k' } });
    const r = await p.read(window);
    expect(r).toEqual({
      ok: true,
      sample: {
        start: '2025-06-02T10:00:00.000Z',
        end: '2025-06-02T10:01:00.000Z',
        metrics: {
          errors: { canary: { requests: 500, bad: 3 }, baseline: { requests: 1500, bad: 7 } },
          latency: { canary: { requests: 500, bad: 20 }, baseline: { requests: 1500, bad: 45 } },
        },
        guards: { p99Ms: 180, errorRate: 3 / 500, successRate: 1 - 3 / 500 },
      },
    });
    const u = new URL(seen[0]?.url ?? '', base);
    expect(seen[0]?.method).toBe('GET');
    expect(Object.fromEntries(u.searchParams)).toEqual({ service: 'checkout', start: '2025-06-02T10:00:00.000Z', end: '2025-06-02T10:01:00.000Z', weight: '25', window: '60' });
    expect(seen[0]?.headers.authorization).toBe('Bearer t0k');
  });

  it('POST: the window as a JSON body; start/end in the reply must be the window asked for', async () => {
    reply = { status: 200, body: JSON.stringify({ ...good, start: '2025-06-02T10:00:00Z', end: '2025-06-02T10:01:00.000Z' }) };
    const p = httpMetricsProvider({ url: `${base}/w`, method: 'POST' });
    expect((await p.read(window)).ok).toBe(true);
    expect(seen[0]?.method).toBe('POST');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ start: '2025-06-02T10:00:00.000Z', end: '2025-06-02T10:01:00.000Z', weight: 25, window: 60 });
    reply = { status: 200, body: JSON.stringify({ ...good, start: '2025-06-02T09:59:00Z' }) };
    expect(await p.read(window)).toEqual({ ok: false, reason: expect.stringContaining('reply is for another window (start "2025-06-02T09:59:00Z")') as unknown as string });
  });

  it.each([
    [{ status: 503, body: '{}' }, 'HTTP 503'],
    [{ status: 200, body: 'not json' }, 'reply is not JSON'],
    [{ status: 200, body: '[1]' }, 'reply is not a JSON object'],
    [{ status: 200, body: JSON.stringify({ ...good, canary: { requests: 5, errors: 9 } }) }, '/canary/errors 9 is more than the 5 requests'],
    [{ status: 200, body: JSON.stringify({ ...good, canary: { requests: 2.5 } }) }, '/canary/requests must be integer'],
    [{ status: 200, body: JSON.stringify({ ...good, extra: 1 }) }, 'unknown property "extra"'],
    [{ status: 200, body: JSON.stringify({ guards: { p99Ms: 100 } }) }, 'has no canary and baseline counts (a gap)'],
  ])('a bad reply is ok:false: %j', async (r, why) => {
    reply = r;
    const res = await httpMetricsProvider({ url: `${base}/w?token=secret` }).read(window);
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.reason).toContain(why);
      expect(res.reason).toContain('2025-06-02T10:00:00.000Z..2025-06-02T10:01:00.000Z');
      expect(res.reason).not.toContain('secret');
    }
  });

  it('a reply that never comes is ok:false after the timeout', async () => {
    reply = { status: 200, body: '', hang: true };
    const res = await httpMetricsProvider({ url: `${base}/slow`, timeoutMs: 150 }).read(window);
    expect(res).toEqual({ ok: false, reason: `${base}/slow: window 2025-06-02T10:00:00.000Z..2025-06-02T10:01:00.000Z: request failed (no reply within 150 ms)` });
    server.closeAllConnections();
  });

  it('a connection that dies before the reply is tried once more; twice is ok:false', async () => {
    // Its own server, so no kept-alive socket from another test is in the way.
    let destroy = 0;
    let requests = 0;
    const own = createServer((req, res) => {
      requests++;
      if (destroy > 0) {
        destroy--;
        req.socket.destroy(); // the connection dies before any reply
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(good));
    });
    await new Promise<void>((r) => own.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(own.address() as AddressInfo).port}/w`;
    try {
      destroy = 1;
      expect(await httpMetricsProvider({ url }).read(window)).toMatchObject({ ok: true });
      expect(requests).toBe(2);
      destroy = 2;
      expect(await httpMetricsProvider({ url }).read(window)).toMatchObject({ ok: false, reason: expect.stringContaining('request failed (fetch failed') as unknown as string });
    } finally {
      own.closeAllConnections();
      await new Promise<void>((r) => own.close(() => r()));
    }
  });

  it('an oversized reply is ok:false', async () => {
    reply = { status: 200, body: JSON.stringify({ ...good, pad: 'x'.repeat(2000) }) };
    const res = await httpMetricsProvider({ url: `${base}/w`, maxBytes: 1000 }).read(window);
    expect(res).toMatchObject({ ok: false, reason: expect.stringContaining('reply larger than 1000 bytes') as unknown as string });
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => httpMetricsProvider({ url: 'ftp://x/y' })).toThrow('metrics URL is not an http(s) URL');
  });
});
