import type { KeyObject } from 'node:crypto';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { ConfigError } from '../errors.js';
import { keyIdOf } from './keys.js';

/** The GitHub Actions OIDC issuer: what a keyless genops artifact from Actions is signed under. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** Fulcio certificate extensions (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md). */
export const FulcioOids = {
  issuerV2: '1.3.6.1.4.1.57264.1.8',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  buildConfigUri: '1.3.6.1.4.1.57264.1.18',
  runInvocationUri: '1.3.6.1.4.1.57264.1.21',
} as const;

/** Trust pinned public keys (key mode). */
export interface KeyTrust {
  mode: 'key';
  keys: KeyObject[];
}

/**
 * Who a keyless artifact must come from. Every field is matched exactly: no
 * regular expressions, no prefixes (an unanchored pattern lets a fork's
 * workflow pass for the original's).
 */
export interface IdentityPolicy {
  /** Certificate SAN: the signing workflow, e.g. https://github.com/o/r/.github/workflows/gate.yml@refs/heads/main */
  subjectAlternativeName: string;
  /** OIDC issuer, normally GITHUB_ACTIONS_ISSUER. */
  issuer: string;
  /** Source repository URI (OID .12), e.g. https://github.com/o/r */
  repositoryUri?: string;
  /** Run invocation URI (OID .21): pin artifacts to the same workflow run. */
  runInvocationUri?: string;
}

export interface KeylessTrust {
  mode: 'keyless';
  /** A Sigstore trusted root (JSON, as in trusted_root.json). */
  trustedRoot: unknown;
  identity: IdentityPolicy;
}

export type TrustPolicy = KeyTrust | KeylessTrust;

/** What a verifier learns about who signed. */
export interface SignerInfo {
  mode: 'key' | 'keyless';
  keyId?: string;
  identity?: string;
  issuer?: string;
  repositoryUri?: string;
  runInvocationUri?: string;
  tlogIndex?: string;
  integratedTime?: string;
}

const EMPTY_ROOT = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};

export interface KeyTrustMaterial {
  material: TrustMaterial;
  /** Hints the verifier asked for that no pinned key matched. */
  unknownHints: string[];
}

export function keyTrustMaterial(keys: KeyObject[]): KeyTrustMaterial {
  const byId = new Map(keys.map((k) => [keyIdOf(k), k] as const));
  const unknownHints: string[] = [];
  const material = toTrustMaterial(TrustedRoot.fromJSON(EMPTY_ROOT), (hint: string) => {
    const key = byId.get(hint);
    if (key === undefined) {
      unknownHints.push(hint);
      throw new Error(`no trusted key with id ${hint}`);
    }
    return { publicKey: key, validFor: () => true };
  });
  return { material, unknownHints };
}

/**
 * Reads a trusted_root.json given by a user (`input` names the option or action input).
 * The file is only parsed here; keylessTrustMaterial checks its contents.
 */
export async function readTrustedRoot(path: string, readText: (path: string) => Promise<string>, input: string): Promise<unknown> {
  let text: string;
  try {
    text = await readText(path);
  } catch (e) {
    throw new ConfigError('FILE_NOT_FOUND', `trusted root ${path} cannot be read`, { input, file: path, hint: 'Pass the path of a Sigstore trusted_root.json, or leave it out to use the public-good root.', cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError('FILE_INVALID', `trusted root ${path} is not JSON`, { input, file: path, expected: 'a Sigstore trusted_root.json', cause: e });
  }
}

export function keylessTrustMaterial(trustedRoot: unknown, source = 'trusted root'): TrustMaterial {
  try {
    return toTrustMaterial(TrustedRoot.fromJSON(trustedRoot));
  } catch (e) {
    throw new ConfigError('FILE_INVALID', `${source} is not a usable Sigstore trusted root`, {
      file: source,
      expected: 'a trusted_root.json (media type application/vnd.dev.sigstore.trustedroot+json)',
      cause: e,
    });
  }
}
