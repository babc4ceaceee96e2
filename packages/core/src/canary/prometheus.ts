/**
 * The Prometheus metrics provider. Each window is read with PromQL templates evaluated at the
 * window's end (`/api/v1/query`, or `/api/v1/query_range` with step = the window), once per arm:
 * request, error and slow-request counts over `[$window]`, a coverage check (samples per series in
 * the window, so a scrape gap is a gap and not an extrapolated guess), and the canary's p50/p99.
 *
 * Placeholders: `$label` (the version label's name), `$version` (the arm's label value, escaped
 * as a PromQL string: use it inside "..." with `=`, not `=~`), `$window` (e.g. `60s`), `$le` (the
 * histogram bucket bound of the latency SLO). `increase()` extrapolates, so counts are rounded to
 * integers. Empty results, NaN, HTTP or API errors and timeouts are `ok: false`, naming the window,
 * the arm's series and the query: inconclusive, never a pass.
 */
import { ConfigError, docUrl } from '../errors.js';
import { errorText, fetchWithRetry, httpUrl, isTimeout, type HttpFetch } from './http-fetch.js';
import type { ArmCounts, CanaryMetric, GuardReadings, MetricCounts, MetricsProvider, WindowReading, WindowRequest } from './model.js';

export interface PrometheusQueries {
  /** Requests of one arm over the window. Must come back empty when the series is missing: it is the presence check. */
  requests: string;
  /** Failed requests of one arm (`or vector(0)`: no error series yet means no errors). */
  errors: string;
  /** Requests slower than the latency SLO (`$le`); leave empty to read no latency metric. */
  slow: string;
  /** Fewest samples of any of the arm's request series in the window; compared with `minSamplesPerWindow`. Empty: no check. */
  coverage: string;
  /** Canary latency quantiles in seconds (empty: not read). */
  p50Seconds: string;
  p99Seconds: string;
  /** GenAI guards, optional: quality score in [0,1] (canary) and cost per request (both arms). */
  qualityScore: string;
  costPerRequest: string;
}

export const DEFAULT_PROMETHEUS_QUERIES: PrometheusQueries = {
  requests: 'sum(increase(http_requests_total{$label="$version"}[$window]))',
  errors: 'sum(increase(http_requests_total{$label="$version",status=~"5.."}[$window])) or vector(0)',
  slow:
    'sum(increase(http_request_duration_seconds_count{$label="$version"}[$window]))' +
    ' - sum(increase(http_request_duration_seconds_bucket{$label="$version",le="$le"}[$window]))',
  coverage: 'min(count_over_time(http_requests_total{$label="$version"}[$window]))',
  p50Seconds: 'histogram_quantile(0.5, sum by (le) (increase(http_request_duration_seconds_bucket{$label="$version"}[$window])))',
  p99Seconds: 'histogram_quantile(0.99, sum by (le) (increase(http_request_duration_seconds_bucket{$label="$version"}[$window])))',
  qualityScore: '',
  costPerRequest: '',
};

export interface PrometheusProviderOptions {
  /** Base URL, e.g. `http://prometheus:9090` or `https://host/prometheus` (the API is under `/api/v1/`). */
  url: string;
  /** Label that tells the arms apart. Default `version`. */
  versionLabel?: string;
  canaryVersion: string;
  baselineVersion: string;
  /** Overrides of the default templates (an empty string switches that reading off). */
  queries?: Partial<PrometheusQueries>;
  /** The `le` bucket bound of the latency SLO, as written in the label. Default `0.25`. */
  slowLe?: string;
  /** `query` (default): instant query at the window end. `query_range`: one step = the window. */
  mode?: 'query' | 'query_range';
  /** Fewest samples each request series must have in a window. Default: floor(window / scrapeIntervalSeconds), at least 2. */
  minSamplesPerWindow?: number;
  /** The targets' scrape interval, for the default coverage threshold. Default 15. */
  scrapeIntervalSeconds?: number;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
  headers?: Readonly<Record<string, string>>;
  /** Per query. Default 10 000 ms. */
  timeoutMs?: number;
  fetch?: HttpFetch;
}

const PLACEHOLDERS = ['label', 'version', 'window', 'le'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];
const PLACEHOLDER = /\$([A-Za-z_][A-Za-z0-9_]*)/g;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMERIC_LE = /^([+-]?Inf|[+-]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)$/;

/** A value inside a double-quoted PromQL string: backslash and quote escaped; control characters refused. */
export function promqlString(value: string): string {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error('control character');
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** `60s`, or milliseconds when the window is not whole seconds. */
export function promqlDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}

/** Fill a template's placeholders. Values are escaped by the caller's choice of placeholder. */
export function fillTemplate(template: string, values: Record<Placeholder, string>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => ((PLACEHOLDERS as readonly string[]).includes(name) ? values[name as Placeholder] : whole));
}

function configError(input: string, message: string, expected: string, hint?: string): ConfigError {
  return new ConfigError('INPUT_INVALID', message, { input, expected, ...(hint === undefined ? {} : { hint }), docUrl: docUrl('canary', 'prometheus') });
}

interface Query {
  /** e.g. `requests`, for reasons. */
  name: string;
  arm: 'canary' | 'baseline';
  promql: string;
}

type QueryResult = { ok: true; value: number | undefined } | { ok: false; reason: string };

export function prometheusMetricsProvider(options: PrometheusProviderOptions): MetricsProvider {
  const base = httpUrl(options.url);
  if (base === undefined) {
    throw configError('prometheus-url', 'prometheus-url is not an http(s) URL', 'the base URL of the Prometheus HTTP API, e.g. http://prometheus:9090');
  }
  const label = options.versionLabel ?? 'version';
  if (!LABEL_NAME.test(label)) throw configError('version-label', `version-label ${JSON.stringify(label)} is not a Prometheus label name`, 'letters, digits and _ , not starting with a digit');
  const versions = { canary: options.canaryVersion, baseline: options.baselineVersion };
  const escaped = { canary: '', baseline: '' };
  for (const arm of ['canary', 'baseline'] as const) {
    const v = versions[arm];
    if (typeof v !== 'string' || v === '') throw configError(`${arm}-version`, `${arm}-version is empty`, `the value of the ${label} label on the ${arm}'s series`);
    try {
      escaped[arm] = promqlString(v);
    } catch {
      throw configError(`${arm}-version`, `${arm}-version contains a control character`, 'a printable label value');
    }
  }
  if (versions.canary === versions.baseline) throw configError('canary-version', 'canary-version and baseline-version are the same', 'two different label values');
  const slowLe = options.slowLe ?? '0.25';
  if (!NUMERIC_LE.test(slowLe)) throw configError('slow-le', `slow-le ${JSON.stringify(slowLe)} is not a bucket bound`, 'a number as written in the histogram le label, e.g. 0.25');
  const queries: PrometheusQueries = { ...DEFAULT_PROMETHEUS_QUERIES, ...options.queries };
  for (const name of Object.keys(queries) as (keyof PrometheusQueries)[]) {
    for (const m of queries[name].matchAll(PLACEHOLDER)) {
      const ph = m[1] ?? '';
      if (!(PLACEHOLDERS as readonly string[]).includes(ph)) {
        throw configError(`queries.${name}`, `query template ${name} uses an unknown placeholder $${ph}`, `placeholders from: ${PLACEHOLDERS.map((p) => `$${p}`).join(', ')}`);
      }
    }
  }
  if (queries.requests.trim() === '') throw configError('queries.requests', 'the requests query template is empty', 'a PromQL expression counting one arm\'s requests over [$window]');
  const scrape = options.scrapeIntervalSeconds ?? 15;
  if (!(scrape > 0)) throw configError('scrape-interval', 'scrape-interval must be positive', 'seconds between scrapes, e.g. 15');
  if (options.minSamplesPerWindow !== undefined && !(Number.isInteger(options.minSamplesPerWindow) && options.minSamplesPerWindow >= 1)) {
    throw configError('min-samples-per-window', 'min-samples-per-window must be a positive integer', 'e.g. 4 for 60 s windows scraped every 15 s');
  }

  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', ...options.headers };
  if (options.bearerToken !== undefined) headers.authorization = `Bearer ${options.bearerToken}`;
  if (options.basicAuth !== undefined) headers.authorization = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`, 'utf8').toString('base64')}`;
  const doFetch: HttpFetch = options.fetch ?? (globalThis.fetch);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const mode = options.mode ?? 'query';
  const apiBase = base.href.endsWith('/') ? base.href : `${base.href}/`;
  const endpoint = new URL(mode === 'query' ? 'api/v1/query' : 'api/v1/query_range', apiBase).href;
  const origin = `${base.origin}${base.pathname}`.replace(/\/$/, '');

  /** One PromQL evaluation at `at`; `value` undefined = NaN (no observations). Never throws. */
  async function evaluate(q: Query, at: Date, windowMs: number, required: boolean): Promise<QueryResult> {
    const series = `${q.name} of ${q.arm} (${label}="${versions[q.arm]}")`;
    const fail = (why: string): QueryResult => ({ ok: false, reason: `${series}: ${why}; query: ${q.promql}` });
    const t = (at.getTime() / 1000).toString();
    const form = new URLSearchParams({ query: q.promql });
    if (mode === 'query') form.set('time', t);
    else {
      form.set('start', t);
      form.set('end', t);
      form.set('step', (windowMs / 1000).toString());
    }
    let status: number;
    let text: string;
    try {
      const res = await fetchWithRetry(doFetch, endpoint, { method: 'POST', headers, body: form.toString() }, timeoutMs);
      status = res.status;
      text = await res.text();
    } catch (e) {
      return fail(isTimeout(e) ? `no answer from ${origin} within ${timeoutMs} ms` : `request to ${origin} failed (${errorText(e)})`);
    }
    let doc: { status?: unknown; errorType?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch {
      return fail(`HTTP ${status} from ${origin} with a body that is not JSON`);
    }
    if (status < 200 || status > 299 || doc.status !== 'success') {
      const msg = typeof doc.error === 'string' ? `${typeof doc.errorType === 'string' ? `${doc.errorType}: ` : ''}${doc.error.slice(0, 300)}` : 'no error message';
      return fail(`HTTP ${status} from ${origin}: ${msg}`);
    }
    const type = doc.data?.resultType;
    const result = doc.data?.result;
    let raw: unknown;
    if (type === 'scalar') raw = Array.isArray(result) ? result[1] : undefined;
    else if ((type === 'vector' || type === 'matrix') && Array.isArray(result)) {
      if (result.length === 0) return required ? fail('no data in this window (empty result: no series, or fewer than 2 samples)') : { ok: true, value: undefined };
      if (result.length > 1) return fail(`${result.length} series came back, one was expected (aggregate with sum(...))`);
      const one = result[0] as { value?: unknown; values?: unknown };
      if (type === 'vector') raw = Array.isArray(one.value) ? one.value[1] : undefined;
      else {
        const values = Array.isArray(one.values) ? (one.values as unknown[]) : [];
        const last = values[values.length - 1];
        raw = Array.isArray(last) ? last[1] : undefined;
      }
    } else return fail(`unexpected result type ${JSON.stringify(type)}`);
    if (typeof raw !== 'string') return fail('malformed sample in the reply');
    // Prometheus writes infinities as +Inf/-Inf, which Number() does not read.
    const value = raw === '+Inf' || raw === 'Inf' ? Number.POSITIVE_INFINITY : raw === '-Inf' ? Number.NEGATIVE_INFINITY : Number(raw);
    if (Number.isNaN(value)) return required ? fail('the value is NaN') : { ok: true, value: undefined };
    if (!Number.isFinite(value)) return fail(`the value is ${raw}`);
    return { ok: true, value };
  }

  return {
    kind: 'prometheus',
    async read(window: WindowRequest): Promise<WindowReading> {
      const windowMs = window.end.getTime() - window.start.getTime();
      const span = `${window.start.toISOString()}..${window.end.toISOString()}`;
      if (!(windowMs > 0)) return { ok: false, reason: `window ${span} is empty` };
      const fill = (template: string, arm: 'canary' | 'baseline') =>
        fillTemplate(template, { label, version: escaped[arm], window: promqlDuration(windowMs), le: slowLe });
      const minSamples = options.minSamplesPerWindow ?? Math.max(2, Math.floor(windowMs / 1000 / scrape));

      const run = (name: keyof PrometheusQueries, arm: 'canary' | 'baseline', required: boolean): Promise<QueryResult | undefined> =>
        queries[name].trim() === '' ? Promise.resolve(undefined) : evaluate({ name, arm, promql: fill(queries[name], arm) }, window.end, windowMs, required);
      const arms = ['canary', 'baseline'] as const;
      const [coverage, requests, errors, slow, p50, p99, quality, cost] = await Promise.all([
        Promise.all(arms.map((a) => run('coverage', a, true))),
        Promise.all(arms.map((a) => run('requests', a, true))),
        Promise.all(arms.map((a) => run('errors', a, true))),
        Promise.all(arms.map((a) => run('slow', a, true))),
        run('p50Seconds', 'canary', false),
        run('p99Seconds', 'canary', false),
        run('qualityScore', 'canary', false),
        Promise.all(arms.map((a) => run('costPerRequest', a, false))),
      ]);
      const gap = (r: QueryResult | undefined) => (r !== undefined && !r.ok ? r.reason : undefined);

      // Coverage and requests are the presence checks: without them the window is a gap.
      for (const [i, arm] of arms.entries()) {
        const reason = gap(coverage[i]) ?? gap(requests[i]);
        if (reason !== undefined) return { ok: false, reason: `window ${span}: ${reason}` };
        const c = coverage[i];
        if (c?.ok === true && c.value !== undefined && c.value < minSamples) {
          return {
            ok: false,
            reason: `window ${span}: request series of ${arm} (${label}="${versions[arm]}") has only ${c.value} samples, ${minSamples} needed (a scrape gap); query: ${fill(queries.coverage, arm)}`,
          };
        }
      }
      const counts = (results: (QueryResult | undefined)[], name: string): { ok: true; value: [number, number] } | { ok: false; reason: string } => {
        const out: number[] = [];
        for (const [i, r] of results.entries()) {
          if (r === undefined || !r.ok || r.value === undefined) return { ok: false, reason: r !== undefined && !r.ok ? r.reason : `${name}: no value` };
          const n = Math.round(r.value);
          if (n < 0) return { ok: false, reason: `${name} of ${arms[i] ?? '?'} is negative (${r.value}): a counter reset or a bad query` };
          out.push(n);
        }
        return { ok: true, value: [out[0] ?? 0, out[1] ?? 0] };
      };
      const req = counts(requests, 'requests');
      if (!req.ok) return { ok: false, reason: `window ${span}: ${req.reason}` };
      const [nC, nB] = req.value;
      const metrics: Partial<Record<CanaryMetric, MetricCounts>> = {};
      const reasons: string[] = [];
      const addMetric = (metric: CanaryMetric, results: (QueryResult | undefined)[], name: string) => {
        if (results.every((r) => r === undefined)) return;
        const bad = counts(results, name);
        if (!bad.ok) return reasons.push(bad.reason);
        const [xC, xB] = bad.value;
        // Rounded extrapolations of two series can disagree by one; more than requests is not data.
        if (xC > nC || xB > nB) return reasons.push(`${name} (${xC}, ${xB}) exceed requests (${nC}, ${nB}) of canary, baseline`);
        const arm = (requests: number, b: number): ArmCounts => ({ requests, bad: b });
        metrics[metric] = { canary: arm(nC, xC), baseline: arm(nB, xB) };
      };
      addMetric('errors', errors, 'errors');
      addMetric('latency', slow, 'slow requests');
      if (Object.keys(metrics).length === 0) {
        return { ok: false, reason: `window ${span}: ${reasons.length > 0 ? reasons.join('; ') : 'no metric could be read'}` };
      }

      const guards: GuardReadings = {};
      const errorCounts = metrics.errors;
      if (errorCounts !== undefined && errorCounts.canary.requests > 0) {
        guards.errorRate = errorCounts.canary.bad / errorCounts.canary.requests;
        guards.successRate = 1 - guards.errorRate;
      }
      const value = (r: QueryResult | undefined) => (r?.ok === true ? r.value : undefined);
      const p50s = value(p50);
      const p99s = value(p99);
      if (p50s !== undefined) guards.p50Ms = p50s * 1000;
      if (p99s !== undefined) guards.p99Ms = p99s * 1000;
      const q = value(quality);
      if (q !== undefined) guards.qualityScore = q;
      const [costC, costB] = cost.map(value);
      if (costC !== undefined) guards.costPerRequest = costC;
      if (costB !== undefined) guards.baselineCostPerRequest = costB;
      // A metric that failed while another was read is a gap for that metric only (model.ts).
      return { ok: true, sample: { start: window.start.toISOString(), end: window.end.toISOString(), metrics, guards } };
    },
  };
}
