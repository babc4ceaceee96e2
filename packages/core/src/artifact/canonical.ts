import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialization. Every digest genops
 * computes over a JSON document is over these bytes, so the same document has
 * one digest whoever serialized it.
 */
export function canonicalJson(value: unknown): string {
  const out = canonicalize(value);
  if (out === undefined) throw new TypeError('value cannot be represented as JSON');
  return out;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 (hex) of the RFC 8785 canonical form of `value`. */
export function jsonDigest(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

const DIGEST_RE = /^sha256:([0-9a-f]{64})$/;

/** The `sha256:<hex>` form used in job outputs and inputs. */
export function formatDigest(hex: string): string {
  return `sha256:${hex}`;
}

/** Accepts `sha256:<hex>` or a bare 64-char hex; returns the hex, or undefined. */
export function parseDigest(s: string): string | undefined {
  const t = s.trim().toLowerCase();
  if (/^[0-9a-f]{64}$/.test(t)) return t;
  return DIGEST_RE.exec(t)?.[1];
}
