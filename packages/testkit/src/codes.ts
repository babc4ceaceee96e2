/**
 * The code of the error a call throws, for asserting on codes rather than message text
 * (sigstore-js's toThrowWithCode, as a plain function). Throws if nothing was thrown or
 * what was thrown has no code.
 */
function codeFrom(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') throw e;
  return code;
}

export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return codeFrom(e);
  }
  throw new Error('expected an error, but nothing was thrown');
}

export async function codeOfAsync(p: Promise<unknown> | (() => Promise<unknown>)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return codeFrom(e);
  }
  throw new Error('expected an error, but nothing was thrown');
}
