/**
 * What the canary's HTTP clients share (the Prometheus provider, the HTTP metrics provider and the
 * traffic webhook): the injectable fetch, one retry for a connection that died before any reply,
 * and how a fetch failure is told apart and described.
 */

/** The part of `fetch` the canary uses; injected in tests, `globalThis.fetch` otherwise. */
export type HttpFetch = (url: string, init: FetchInit & { signal?: AbortSignal }) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

/** `value` as an http: or https: URL; undefined for anything else (the caller says which input). */
export function httpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** fetch's abort errors are DOMExceptions, not always `instanceof Error` (other realms): match the name. */
export function isTimeout(e: unknown): boolean {
  const name = typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** An error's message, and the cause's (fetch hides ECONNREFUSED there). */
export function errorText(e: unknown): string {
  if (typeof e !== 'object' || e === null) return String(e);
  const { message, cause } = e as { message?: unknown; cause?: unknown };
  const own = typeof message === 'string' ? message : 'unknown error';
  const inner = typeof cause === 'object' && cause !== null ? (cause as { message?: unknown }).message : undefined;
  return typeof inner === 'string' && inner !== '' && inner !== own ? `${own}: ${inner}` : own;
}

export type FetchInit = { method: string; headers: Record<string, string>; body?: string };

/**
 * One request with a timeout, tried a second time when the connection failed before any reply
 * (a kept-alive socket the server had closed: "other side closed"). Timeouts are not retried.
 * Only for requests that are safe to repeat: reads, and setting the same weight again.
 */
export async function fetchWithRetry<R>(
  doFetch: (url: string, init: FetchInit & { signal?: AbortSignal }) => Promise<R>,
  url: string,
  init: FetchInit,
  timeoutMs: number,
): Promise<R> {
  try {
    return await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    if (isTimeout(e)) throw e;
    return doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  }
}
