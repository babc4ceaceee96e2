import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { sha256Hex } from './canonical.js';

/** Key mode uses ECDSA P-256 (the only curve sigstore's key-mode bundles are verified with here). */
export interface SigningKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  /** sha256 of the DER SubjectPublicKeyInfo: the bundle's key hint. */
  keyId: string;
}

export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ format: 'der', type: 'spki' }));
}

function assertP256(key: KeyObject, source: string, what: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ConfigError('KEY_INVALID', `${source} is not an ECDSA P-256 ${what}`, {
      input: source,
      expected: `an ECDSA P-256 ${what} in PEM`,
      actual: `${key.asymmetricKeyType ?? 'unknown'} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trim(),
      hint: 'Create one with `genops keygen --out DIR`.',
    });
  }
}

/** Parses a PEM private key; `source` names where it came from (input name or file) for errors. */
export function loadPrivateKey(pem: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new ConfigError('KEY_INVALID', `${source} does not hold a readable PEM private key`, {
      input: source,
      expected: 'a PEM "PRIVATE KEY" (PKCS#8) or "EC PRIVATE KEY" block for ECDSA P-256',
      hint: 'Check the secret was pasted whole, including the BEGIN/END lines; `genops keygen` writes one.',
      cause: e,
    });
  }
  assertP256(key, source, 'private key');
  return key;
}

export function loadPublicKey(pem: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new ConfigError('KEY_INVALID', `${source} does not hold a readable PEM public key`, {
      input: source,
      expected: 'a PEM "PUBLIC KEY" block (SubjectPublicKeyInfo) for ECDSA P-256',
      hint: 'Pass the public half written by `genops keygen` (signing.pub).',
      cause: e,
    });
  }
  if (key.type === 'private') key = createPublicKey(key);
  assertP256(key, source, 'public key');
  return key;
}
