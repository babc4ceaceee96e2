/** Signing configuration shared by every action that emits an artifact. */
import { CIContextProvider } from '@sigstore/sign';
import { keySigner, keylessSigner, type ArtifactSigner } from '../artifact/sign.js';
import { loadPrivateKey } from '../artifact/keys.js';
import { ConfigError } from '../errors.js';
import { enumInput, type InputProblems, type RawInputs } from './inputs.js';
import { createPublicKey } from 'node:crypto';

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

/** Builds the signer. Keyless needs the runner's OIDC token (`permissions: id-token: write`). */
export function createSigner(cfg: SigningConfig, env: Readonly<Record<string, string | undefined>>): ArtifactSigner {
  if (cfg.mode === 'key') {
    const priv = loadPrivateKey(cfg.privateKeyPem, cfg.source);
    return keySigner(priv, createPublicKey(priv));
  }
  if (env.ACTIONS_ID_TOKEN_REQUEST_URL === undefined || env.ACTIONS_ID_TOKEN_REQUEST_TOKEN === undefined) {
    throw new ConfigError('PERMISSION_MISSING', 'keyless signing needs the workflow\'s OIDC token, and this job has none', {
      input: 'signing-mode',
      expected: 'a job with an ID token',
      hint: 'Add to the job (or workflow):\n  permissions:\n    id-token: write\nor sign in key mode with signing-key: ${{ secrets.GENOPS_SIGNING_KEY }}. Fork pull requests never get an ID token.',
    });
  }
  return keylessSigner({ fulcioUrl: cfg.fulcioUrl, rekorUrl: cfg.rekorUrl, identityProvider: new CIContextProvider('sigstore') });
}
