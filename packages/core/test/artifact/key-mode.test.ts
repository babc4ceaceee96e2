import { describe, expect, it } from '@jest/globals';
import {
  PredicateTypes,
  verifyArtifactBytes,
  VerificationError,
  type VerifyPolicy,
  ConfigError,
  loadPrivateKey,
  loadPublicKey,
  formatDigest,
  canonicalJson,
  buildStatement,
  keySigner as mkKeySigner,
  signStatement,
} from '../../src/index.js';
import { codeOf } from '@genops/testkit';
import { bytesOf, inventoryStatement, keyPair, keySigner, NOW, OTHER_SHA, SHA, signedInventory } from './helpers.js';

const kp = keyPair();
const signer = keySigner(kp.priv, kp.pub);

function policy(over: Partial<VerifyPolicy> = {}): VerifyPolicy {
  return { trust: { mode: 'key', keys: [kp.pub] }, predicateType: PredicateTypes.inventory, subject: { gitCommit: SHA }, now: NOW, ...over };
}


type Bundle = { dsseEnvelope: { payload: string; signatures: { sig: string }[] }; verificationMaterial: Record<string, unknown> };
function mutate(bytes: Buffer, f: (b: Bundle) => void): Buffer {
  const b = JSON.parse(bytes.toString()) as Bundle;
  f(b);
  return Buffer.from(JSON.stringify(b));
}
function flipBase64Byte(b64: string, index: number): string {
  const raw = Buffer.from(b64, 'base64');
  raw[index] = (raw[index] ?? 0) ^ 0x01;
  return raw.toString('base64');
}

describe('key mode', () => {
  it('signs a statement into a DSSE bundle that verifies against the pinned key', async () => {
    const a = await signedInventory(signer);
    expect(a.bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    const v = verifyArtifactBytes(bytesOf(a), 'inventory.json', policy({ expectedDigest: formatDigest(a.digest) }));
    expect(v.digest).toBe(a.digest);
    expect(v.statement.subject[0]?.digest.gitCommit).toBe(SHA);
    expect(v.signer).toEqual({ mode: 'key', keyId: kp.keyId });
    // The payload is the canonical statement: its digest is the statement digest.
    expect(Buffer.from(a.bundle.dsseEnvelope!.payload, 'base64').toString()).toBe(canonicalJson(a.statement));
  });

  it('accepts any of several pinned keys', async () => {
    const other = keyPair();
    const a = await signedInventory(signer);
    expect(() => verifyArtifactBytes(bytesOf(a), 'x', policy({ trust: { mode: 'key', keys: [other.pub, kp.pub] } }))).not.toThrow();
  });

  it('rejects a bundle signed by an unpinned key (KEY_UNTRUSTED)', async () => {
    const other = keyPair();
    const a = await signedInventory(keySigner(other.priv, other.pub));
    expect(codeOf(() => verifyArtifactBytes(bytesOf(a), 'x', policy()))).toBe('KEY_UNTRUSTED');
  });

  it('rejects a signature by another key that claims the pinned key id (SIGNATURE_INVALID)', async () => {
    const other = keyPair();
    const a = await signedInventory(keySigner(other.priv, other.pub));
    const forged = mutate(bytesOf(a), (b) => {
      (b.verificationMaterial.publicKey as { hint: string }).hint = kp.keyId;
    });
    expect(codeOf(() => verifyArtifactBytes(forged, 'x', policy()))).toBe('SIGNATURE_INVALID');
  });

  it('rejects one flipped byte anywhere in the payload or signature', async () => {
    const a = await signedInventory(signer);
    const payloadLen = Buffer.from(a.bundle.dsseEnvelope!.payload, 'base64').length;
    for (const i of [0, 17, Math.floor(payloadLen / 2), payloadLen - 1]) {
      const t = mutate(bytesOf(a), (b) => {
        b.dsseEnvelope.payload = flipBase64Byte(b.dsseEnvelope.payload, i);
      });
      expect(codeOf(() => verifyArtifactBytes(t, 'x', policy()))).toBe('SIGNATURE_INVALID');
    }
    const sigLen = Buffer.from(a.bundle.dsseEnvelope!.signatures[0]!.sig, 'base64').length;
    for (const i of [0, 10, sigLen - 1]) {
      const t = mutate(bytesOf(a), (b) => {
        b.dsseEnvelope.signatures[0]!.sig = flipBase64Byte(b.dsseEnvelope.signatures[0]!.sig, i);
      });
      expect(['SIGNATURE_INVALID', 'BUNDLE_INVALID']).toContain(codeOf(() => verifyArtifactBytes(t, 'x', policy())));
    }
  });

  it('rejects a wrong subject, a wrong predicate type and a wrong digest, each with its own code', async () => {
    const a = await signedInventory(signer);
    expect(codeOf(() => verifyArtifactBytes(bytesOf(a), 'x', policy({ subject: { gitCommit: OTHER_SHA } })))).toBe('SUBJECT_MISMATCH');
    expect(codeOf(() => verifyArtifactBytes(bytesOf(a), 'x', policy({ subject: { sha256: 'd'.repeat(64) } })))).toBe('SUBJECT_MISMATCH');
    expect(codeOf(() => verifyArtifactBytes(bytesOf(a), 'x', policy({ predicateType: PredicateTypes.receipt })))).toBe('PREDICATE_TYPE_MISMATCH');
    expect(codeOf(() => verifyArtifactBytes(bytesOf(a), 'x', policy({ expectedDigest: formatDigest('e'.repeat(64)) })))).toBe('DIGEST_MISMATCH');
  });

  it('enforces the validity window with the injected clock', async () => {
    const a = await signedInventory(signer, { ttl: 60 });
    expect(() => verifyArtifactBytes(bytesOf(a), 'x', policy({ now: new Date(NOW.getTime() + 60_000) }))).not.toThrow();
    expect(codeOf(() => verifyArtifactBytes(bytesOf(a), 'x', policy({ now: new Date(NOW.getTime() + 61_000) })))).toBe('EXPIRED');
    expect(codeOf(() => verifyArtifactBytes(bytesOf(a), 'x', policy({ now: new Date(NOW.getTime() - 3600_000) })))).toBe('NOT_YET_VALID');
  });

  it('rejects empty, malformed and oversized input before verifying', async () => {
    expect(codeOf(() => verifyArtifactBytes(Buffer.alloc(0), 'x', policy()))).toBe('ARTIFACT_EMPTY');
    expect(codeOf(() => verifyArtifactBytes(Buffer.from('{"a":\n  1,,}'), 'x', policy()))).toBe('ARTIFACT_MALFORMED');
    try {
      verifyArtifactBytes(Buffer.from('{"a":\n  1,,}'), 'bundle.json', policy());
    } catch (e) {
      expect((e as VerificationError).details.line).toBe(2);
      expect((e as VerificationError).details.file).toBe('bundle.json');
    }
    expect(codeOf(() => verifyArtifactBytes(Buffer.alloc(2048, 0x20), 'x', policy({ maxBytes: 1024 })))).toBe('ARTIFACT_TOO_LARGE');
    expect(codeOf(() => verifyArtifactBytes(Buffer.from('[1,2]'), 'x', policy()))).toBe('BUNDLE_INVALID');
    expect(codeOf(() => verifyArtifactBytes(Buffer.from('{"mediaType":"x"}'), 'x', policy()))).toBe('BUNDLE_INVALID');
  });

  it('rejects an unsigned envelope and a foreign payload type', async () => {
    const a = await signedInventory(signer);
    const unsigned = mutate(bytesOf(a), (b) => {
      b.dsseEnvelope.signatures = [];
    });
    expect(codeOf(() => verifyArtifactBytes(unsigned, 'x', policy()))).toBe('UNSIGNED');
    const wrongType = mutate(bytesOf(a), (b) => {
      (b.dsseEnvelope as unknown as { payloadType: string }).payloadType = 'application/json';
    });
    expect(codeOf(() => verifyArtifactBytes(wrongType, 'x', policy()))).toBe('PAYLOAD_TYPE_MISMATCH');
  });

  it('rejects a validly signed statement that breaks the contract (non-canonical, schema)', async () => {
    // Sign raw bytes with the real signer to model a foreign producer.
    const st = inventoryStatement();
    const pretty = Buffer.from(JSON.stringify(st, null, 2));
    const b1 = Buffer.from(JSON.stringify(await signer.sign(pretty)));
    expect(codeOf(() => verifyArtifactBytes(b1, 'x', policy()))).toBe('PAYLOAD_NOT_CANONICAL');

    const bad = { ...st, predicate: { ...st.predicate, files: [{ path: 'x' }] } };
    const b2 = Buffer.from(JSON.stringify(await signer.sign(Buffer.from(canonicalJson(bad)))));
    expect(codeOf(() => verifyArtifactBytes(b2, 'x', policy()))).toBe('SCHEMA_INVALID');

    const notStatement = { hello: 'world' };
    const b3 = Buffer.from(JSON.stringify(await signer.sign(Buffer.from(canonicalJson(notStatement)))));
    expect(codeOf(() => verifyArtifactBytes(b3, 'x', policy()))).toBe('STATEMENT_INVALID');
  });

  it('refuses to sign a statement that fails its own schema', async () => {
    const st = buildStatement({ repository: 'a/b', gitCommit: SHA }, PredicateTypes.inventory, { header: inventoryStatement().predicate.header, files: 'nope' });
    await expect(signStatement(st, mkKeySigner(kp.priv, kp.pub))).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('names a bad key input clearly', () => {
    expect(() => loadPrivateKey('not a key', 'signing-key')).toThrow(ConfigError);
    try {
      loadPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', 'pub.pem');
    } catch (e) {
      expect((e as ConfigError).code).toBe('KEY_INVALID');
      expect((e as ConfigError).details.input).toBe('pub.pem');
    }
  });
});
