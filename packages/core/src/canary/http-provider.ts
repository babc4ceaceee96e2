/**
 * The HTTP JSON metrics provider: asks a service for one window's counts. GET sends `start`, `end`
 * (ISO 8601), `weight` and `window` (seconds) as query parameters; POST sends the same as a JSON
 * body. The reply is one window document (see file-provider.ts; `start`/`end` may be left out,
 * and when given must be the window asked for), checked against its JSON Schema with ajv. Any
 * failure (network, timeout, non-2xx, bad JSON, schema) is `ok: false` with the reason: inconclusive.
 */
import { ConfigError, docUrl } from '../errors.js';
import { fileMetricsProvider, windowRowProblems, windowRowSemantics } from './file-provider.js';
import type { MetricsProvider, WindowReading, WindowRequest } from './model.js';
import { errorText, fetchWithRetry, httpUrl, isTimeout, type HttpFetch } from './http-fetch.js';

export interface HttpProviderOptions {
  url: string;
  method?: 'GET' | 'POST';
  /** Extra request headers, e.g. `authorization: Bearer ...` (never echoed in reasons). */
  headers?: Readonly<Record<string, string>>;
  /** Per request. Default 10 000 ms. */
  timeoutMs?: number;
  /** Largest reply read, in bytes. Default 1 MiB. */
  maxBytes?: number;
  fetch?: HttpFetch;
}

export function httpMetricsProvider(options: HttpProviderOptions): MetricsProvider {
  const base = httpUrl(options.url);
  if (base === undefined) {
    throw new ConfigError('INPUT_INVALID', 'metrics URL is not an http(s) URL', {
      input: 'metrics-url',
      expected: 'an https:// URL of a service answering with one window of canary and baseline counts',
      docUrl: docUrl('canary', 'http-provider'),
    });
  }
  const method = options.method ?? 'GET';
  const doFetch: HttpFetch = options.fetch ?? (globalThis.fetch);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 1_048_576;
  // Reasons name the endpoint without its query string or credentials.
  const where = `${base.origin}${base.pathname}`;
  const url0 = base;

  return {
    kind: 'http',
    async read(window: WindowRequest): Promise<WindowReading> {
      const start = window.start.toISOString();
      const end = window.end.toISOString();
      const label = `${start}..${end}`;
      const params = { start, end, weight: window.weight, window: Math.round((window.end.getTime() - window.start.getTime()) / 1000) };
      const url = new URL(url0.href);
      const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
      let body: string | undefined;
      if (method === 'GET') {
        for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
      } else {
        body = JSON.stringify(params);
        headers['content-type'] = 'application/json';
      }
      let status: number;
      let text: string;
      try {
        const res = await fetchWithRetry(doFetch, url.href, { method, headers, ...(body === undefined ? {} : { body }) }, timeoutMs);
        status = res.status;
        text = await res.text();
      } catch (e) {
        const why = isTimeout(e) ? `no reply within ${timeoutMs} ms` : errorText(e);
        return { ok: false, reason: `${where}: window ${label}: request failed (${why})` };
      }
      if (status < 200 || status > 299) return { ok: false, reason: `${where}: window ${label}: HTTP ${status}` };
      if (Buffer.byteLength(text, 'utf8') > maxBytes) return { ok: false, reason: `${where}: window ${label}: reply larger than ${maxBytes} bytes` };
      let doc: unknown;
      try {
        doc = JSON.parse(text) as unknown;
      } catch {
        return { ok: false, reason: `${where}: window ${label}: reply is not JSON` };
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, reason: `${where}: window ${label}: reply is not a JSON object` };
      const given = doc as Record<string, unknown>;
      for (const key of ['start', 'end'] as const) {
        const v = given[key];
        if (v !== undefined && (typeof v !== 'string' || Date.parse(v) !== window[key].getTime())) {
          return { ok: false, reason: `${where}: window ${label}: reply is for another window (${key} ${JSON.stringify(v)})` };
        }
      }
      const row = { ...given, start, end };
      const problems = windowRowProblems(row);
      const semantic = problems.length === 0 ? windowRowSemantics(row) : [];
      const all = [...problems, ...semantic];
      if (all.length > 0) {
        const shown = all.slice(0, 5).map((p) => `${p.pointer === '' ? '(root)' : p.pointer} ${p.message}`).join('; ');
        return { ok: false, reason: `${where}: window ${label}: reply does not match the window schema: ${shown}` };
      }
      // The same reading rules as a one-row file: gaps per metric, rates from counts.
      return fileMetricsProvider([row], where).read(window);
    },
  };
}
