/**
 * The Prometheus provider against a scripted loopback API (the real-Prometheus tests are in
 * prometheus-provider.test.ts): the request it sends (form body, time, auth), escaping, rounding,
 * and every failure turning into ok:false with the window, series and query named.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/errors.js';
import { fillTemplate, prometheusMetricsProvider, promqlDuration, promqlString, type PrometheusProviderOptions } from '../../src/canary/prometheus.js';

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  form: Record<string, string>;
}
let server: Server;
let base: string;
const seen: Seen[] = [];
/** Answers by query text: the first rule whose key the query contains. */
let answer: (query: string) => { status: number; body: unknown; hang?: boolean } = () => ({ status: 200, body: vector(0) });

function vector(...values: (number | string)[]) {
  return { status: 'success', data: { resultType: 'vector', result: values.map((v, i) => ({ metric: { i: String(i) }, value: [1748858460, String(v)] })) } };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      seen.push({ path: req.url ?? '', headers: req.headers, form });
      const a = answer(form.query ?? '');
      if (a.hang === true) return;
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
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

const window = { start: new Date('2025-06-02T10:00:00Z'), end: new Date('2025-06-02T10:01:00Z'), weight: 50 };
const span = '2025-06-02T10:00:00.000Z..2025-06-02T10:01:00.000Z';
const opts = (extra: Partial<PrometheusProviderOptions> = {}): PrometheusProviderOptions => ({ url: `${base}/prom/`, canaryVersion: 'v2', baselineVersion: 'v1', ...extra });

/** A healthy API: counts by arm and kind, extrapolated (non-integer) like increase() gives them. */
function healthy(overrides: Record<string, { status: number; body: unknown; hang?: boolean }> = {}) {
  return (q: string) => {
    for (const [key, a] of Object.entries(overrides)) if (q.includes(key)) return a;
    const arm = q.includes('"v2"') ? 'c' : 'b';
    if (q.startsWith('min(count_over_time')) return { status: 200, body: vector(5) };
    if (q.startsWith('histogram_quantile(0.5,')) return { status: 200, body: vector(0.0525) };
    if (q.startsWith('histogram_quantile(0.99,')) return { status: 200, body: vector(0.21) };
    if (q.includes(' - sum(')) return { status: 200, body: vector(arm === 'c' ? 30.4999 : 61.5) };
    if (q.includes('status=~"5.."')) return { status: 200, body: vector(arm === 'c' ? 2.0000001 : 9.6) };
    return { status: 200, body: vector(arm === 'c' ? 1000.4 : 1000.6) };
  };
}

async function configError(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    if (e instanceof ConfigError) return `${e.code} ${e.details.input ?? ''}: ${e.message}`;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('Prometheus provider (scripted API)', () => {
  it('sends instant queries at the window end with the filled templates, and rounds the counts', async () => {
    answer = healthy();
    const r = await prometheusMetricsProvider(opts({ bearerToken: 'tok' })).read(window);
    expect(r).toEqual({
      ok: true,
      sample: {
        start: '2025-06-02T10:00:00.000Z',
        end: '2025-06-02T10:01:00.000Z',
        metrics: {
          errors: { canary: { requests: 1000, bad: 2 }, baseline: { requests: 1001, bad: 10 } },
          latency: { canary: { requests: 1000, bad: 30 }, baseline: { requests: 1001, bad: 62 } },
        },
        guards: { errorRate: 0.002, successRate: 0.998, p50Ms: 52.5, p99Ms: 210 },
      },
    });
    expect(seen).toHaveLength(10);
    for (const s of seen) {
      expect(s.path).toBe('/prom/api/v1/query');
      expect(s.form.time).toBe('1748858460');
      expect(s.headers.authorization).toBe('Bearer tok');
      expect(s.headers['content-type']).toBe('application/x-www-form-urlencoded');
    }
    expect(seen.map((s) => s.form.query)).toContain('sum(increase(http_requests_total{version="v2"}[60s]))');
    expect(seen.map((s) => s.form.query)).toContain(
      'sum(increase(http_request_duration_seconds_count{version="v1"}[60s])) - sum(increase(http_request_duration_seconds_bucket{version="v1",le="0.25"}[60s]))',
    );
  });

  it('query_range mode asks one step of the window length ending at the window end', async () => {
    answer = (q) => {
      const v = healthy()(q);
      const body = v.body as ReturnType<typeof vector>;
      return { status: 200, body: { status: 'success', data: { resultType: 'matrix', result: body.data.result.map((x) => ({ metric: x.metric, values: [x.value] })) } } };
    };
    const r = await prometheusMetricsProvider(opts({ mode: 'query_range', basicAuth: { username: 'u', password: 'p:w' } })).read(window);
    expect(r.ok).toBe(true);
    expect(seen[0]?.path).toBe('/prom/api/v1/query_range');
    expect(seen[0]?.form).toMatchObject({ start: '1748858460', end: '1748858460', step: '60' });
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
  });

  it('an empty requests result is a gap naming the window, the series and the query', async () => {
    answer = healthy({ 'http_requests_total{version="v1"}[60s]))': { status: 200, body: vector() } });
    const r = await prometheusMetricsProvider(opts({ queries: { coverage: '' } })).read(window);
    expect(r).toEqual({
      ok: false,
      reason: `window ${span}: requests of baseline (version="v1"): no data in this window (empty result: no series, or fewer than 2 samples); query: sum(increase(http_requests_total{version="v1"}[60s]))`,
    });
  });

  it('too few samples in the window (a scrape gap) is a gap, with the threshold from the scrape interval', async () => {
    answer = healthy({ 'count_over_time(http_requests_total{version="v2"}': { status: 200, body: vector(3) } });
    const r = await prometheusMetricsProvider(opts({ scrapeIntervalSeconds: 15 })).read(window);
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('request series of canary (version="v2") has only 3 samples, 4 needed (a scrape gap)') as unknown as string });
    expect((await prometheusMetricsProvider(opts({ minSamplesPerWindow: 3 })).read(window)).ok).toBe(true);
  });

  it.each([
    ['HTTP 500 with an API error', { status: 500, body: { status: 'error', errorType: 'internal', error: 'boom' } }, 'HTTP 500 from'],
    ['HTTP 400 bad_data', { status: 400, body: { status: 'error', errorType: 'bad_data', error: 'parse error' } }, 'bad_data: parse error'],
    ['not JSON', { status: 502, body: '<html>bad gateway</html>' }, 'HTTP 502 from'],
    ['two series', { status: 200, body: vector(1, 2) }, '2 series came back, one was expected'],
    ['NaN', { status: 200, body: vector('NaN') }, 'the value is NaN'],
    ['+Inf', { status: 200, body: vector('+Inf') }, 'the value is +Inf'],
    ['a string result', { status: 200, body: { status: 'success', data: { resultType: 'string', result: [0, 'x'] } } }, 'unexpected result type "string"'],
    ['negative', { status: 200, body: vector(-3) }, 'requests of canary is negative'],
  ])('%s on the requests query: ok:false', async (_name, a, why) => {
    answer = healthy({ 'http_requests_total{version="v2"}[60s]))': a });
    const r = await prometheusMetricsProvider(opts({ queries: { coverage: '' } })).read(window);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toContain(`window ${span}`);
      expect(r.reason).toContain(why);
    }
  });

  it('a failing error or slow query is a gap for that metric only; both failing is no sample', async () => {
    answer = healthy({ ' - sum(': { status: 200, body: vector() } });
    const r = await prometheusMetricsProvider(opts()).read(window);
    expect(r.ok && Object.keys(r.sample.metrics)).toEqual(['errors']);
    answer = healthy({ ' - sum(': { status: 200, body: vector() }, 'status=~"5.."': { status: 200, body: vector(5000) } });
    const both = await prometheusMetricsProvider(opts()).read(window);
    expect(both).toMatchObject({ ok: false, reason: expect.stringContaining('errors (5000, 5000) exceed requests (1000, 1001)') as unknown as string });
  });

  it('a NaN quantile (no observations) leaves the guard reading out instead of failing', async () => {
    answer = healthy({ 'histogram_quantile(0.99,': { status: 200, body: vector('NaN') } });
    const r = await prometheusMetricsProvider(opts()).read(window);
    expect(r.ok && r.sample.guards).toEqual({ errorRate: 0.002, successRate: 0.998, p50Ms: 52.5 });
  });

  it('GenAI guards: quality of the canary and cost of both arms when templates are given', async () => {
    answer = healthy({ quality_score: { status: 200, body: vector(0.83) }, cost_usd: { status: 200, body: vector(0.0021) } });
    const r = await prometheusMetricsProvider(
      opts({ queries: { qualityScore: 'avg(quality_score{$label="$version"})', costPerRequest: 'sum(cost_usd{$label="$version"})' } }),
    ).read(window);
    expect(r.ok && r.sample.guards).toMatchObject({ qualityScore: 0.83, costPerRequest: 0.0021, baselineCostPerRequest: 0.0021 });
    expect(seen.map((s) => s.form.query)).toEqual(expect.arrayContaining(['avg(quality_score{version="v2"})', 'sum(cost_usd{version="v1"})']));
  });

  it('an API that never answers is ok:false after the timeout', async () => {
    answer = healthy({ 'http_requests_total{version="v2"}[60s]))': { status: 200, body: {}, hang: true } });
    const r = await prometheusMetricsProvider(opts({ timeoutMs: 150, queries: { coverage: '' } })).read(window);
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining(`no answer from ${base}/prom within 150 ms`) as unknown as string });
    server.closeAllConnections();
  });

  it('an unreachable server is ok:false, not a throw', async () => {
    const r = await prometheusMetricsProvider(opts({ url: 'http://127.0.0.1:1/' })).read(window);
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('request to http://127.0.0.1:1 failed') as unknown as string });
  });

  it('escapes version values as PromQL strings and refuses control characters', async () => {
    expect(promqlString('a"b\\c')).toBe('a\\"b\\\\c');
    expect(() => promqlString('a\nb')).toThrow();
    expect(fillTemplate('x{$label="$version"}[$window] $unknownish le="$le"', { label: 'app', version: 'v\\"1', window: '60s', le: '0.1' })).toBe(
      'x{app="v\\"1"}[60s] $unknownish le="0.1"',
    );
    expect(promqlDuration(60_000)).toBe('60s');
    expect(promqlDuration(1_500)).toBe('1500ms');
    answer = healthy();
    await prometheusMetricsProvider(opts({ canaryVersion: 'v2"} or vector(1) #', versionLabel: 'app_version' })).read(window);
    expect(seen.map((s) => s.form.query)).toContain('sum(increase(http_requests_total{app_version="v2\\"} or vector(1) #"}[60s]))');
  });

  it('refuses bad configuration with the input named', async () => {
    expect(await configError(() => prometheusMetricsProvider(opts({ url: 'file:///x' })))).toBe('INPUT_INVALID prometheus-url: prometheus-url is not an http(s) URL');
    expect(await configError(() => prometheusMetricsProvider(opts({ versionLabel: 'ver-sion' })))).toMatch(/^INPUT_INVALID version-label: /);
    expect(await configError(() => prometheusMetricsProvider(opts({ canaryVersion: 'v1' })))).toMatch(/are the same/);
    expect(await configError(() => prometheusMetricsProvider(opts({ baselineVersion: 'a\u0000' })))).toBe('INPUT_INVALID baseline-version: baseline-version contains a control character');
    expect(await configError(() => prometheusMetricsProvider(opts({ queries: { errors: 'sum(x{v="$versoin"})' } })))).toBe(
      'INPUT_INVALID queries.errors: query template errors uses an unknown placeholder $versoin',
    );
    expect(await configError(() => prometheusMetricsProvider(opts({ queries: { requests: ' ' } })))).toMatch(/requests query template is empty/);
    expect(await configError(() => prometheusMetricsProvider(opts({ slowLe: '0.25"}) or vector(1' })))).toMatch(/^INPUT_INVALID slow-le/);
    expect(await configError(() => prometheusMetricsProvider(opts({ minSamplesPerWindow: 0 })))).toMatch(/min-samples-per-window/);
  });
});
