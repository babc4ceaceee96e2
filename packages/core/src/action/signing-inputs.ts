/** Signing inputs shared by every action that emits an artifact (parsing only: no crypto, no network). */
import { enumInput, type InputProblems, type RawInputs } from './inputs.js';

export const DEFAULT_FULCIO_URL = 'https://fulcio.sigstore.dev';
export const DEFAULT_REKOR_URL = 'https://rekor.sigstore.dev';

export type SigningConfig =
  | { mode: 'key'; privateKeyPem: string; source: string }
  | { mode: 'keyless'; fulcioUrl: string; rekorUrl: string };

export const SIGNING_INPUTS = ['signing-mode', 'signing-key', 'fulcio-url', 'rekor-url'] as const;

export function parseSigningInputs(raw: RawInputs, problems: InputProblems): SigningConfig {
  const key = raw('signing-key');
  const mode = enumInput(raw, 'signing-mode', ['auto', 'key', 'keyless'] as const, 'auto', problems);
  const resolved = mode === 'auto' ? (key === '' ? 'keyless' : 'key') : mode;
  if (resolved === 'key') {
    if (key === '') problems.add('signing-key', 'is required when signing-mode is key', 'a PEM ECDSA P-256 private key, from a secret');
    return { mode: 'key', privateKeyPem: key, source: 'signing-key' };
  }
  return { mode: 'keyless', fulcioUrl: raw('fulcio-url') || DEFAULT_FULCIO_URL, rekorUrl: raw('rekor-url') || DEFAULT_REKOR_URL };
}
