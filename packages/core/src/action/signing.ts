/** Builds the signer for a signing configuration (see signing-inputs.ts). */
import { CIContextProvider } from '@sigstore/sign';
import { keySigner, keylessSigner, type ArtifactSigner } from '../artifact/sign.js';
import { loadPrivateKey } from '../artifact/keys.js';
import { ConfigError } from '../errors.js';
import type { SigningConfig } from './signing-inputs.js';
import { createPublicKey } from 'node:crypto';

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
