import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { codeOf, codeOfAsync, startSigstoreMock, type SigstoreMock, type GitHubOidcClaims } from '@genops/testkit';
import {
  GITHUB_ACTIONS_ISSUER,
  keylessSigner,
  PredicateTypes,
  verifyArtifactBytes,
  type IdentityPolicy,
  type VerifyPolicy,
  type SignedArtifact,
} from '../../src/index.js';
import { bytesOf, keyPair, keySigner, SHA, signedInventory } from './helpers.js';

const CLAIMS: GitHubOidcClaims = {
  repository: 'acme/payments',
  workflowPath: '.github/workflows/gate.yml',
  ref: 'refs/heads/main',
  sha: SHA,
  runId: '123456',
  runAttempt: '1',
};

let mock: SigstoreMock;
let artifact: SignedArtifact;
let NOW: Date;

beforeAll(async () => {
  // The mock CA and log run at NOW, so the certificate is valid at the log's integrated time.
  mock = await startSigstoreMock();
  NOW = mock.clock;
  const signer = keylessSigner({ fulcioUrl: mock.fulcioUrl, rekorUrl: mock.rekorUrl, identityProvider: mock.identityProvider(CLAIMS), retries: 0 });
  artifact = await signedInventory(signer, { now: NOW });
});
afterAll(() => mock.close());

function identity(over: Partial<IdentityPolicy> = {}): IdentityPolicy {
  return {
    subjectAlternativeName: 'https://github.com/acme/payments/.github/workflows/gate.yml@refs/heads/main',
    issuer: GITHUB_ACTIONS_ISSUER,
    repositoryUri: 'https://github.com/acme/payments',
    runInvocationUri: 'https://github.com/acme/payments/actions/runs/123456/attempts/1',
    ...over,
  };
}
function policy(over: Partial<IdentityPolicy> = {}): VerifyPolicy {
  return { trust: { mode: 'keyless', trustedRoot: mock.trustedRoot, identity: identity(over) }, predicateType: PredicateTypes.inventory, subject: { gitCommit: SHA }, now: NOW };
}
type B = { dsseEnvelope: { payload: string }; verificationMaterial: { certificate: { rawBytes: string }; tlogEntries: { logIndex: string; canonicalizedBody: string }[] } };
function mutate(f: (b: B) => void): Buffer {
  const b = JSON.parse(JSON.stringify(artifact.bundle)) as B;
  f(b);
  return Buffer.from(JSON.stringify(b));
}
function flip(b64: string, i: number): string {
  const raw = Buffer.from(b64, 'base64');
  raw[i] = (raw[i] ?? 0) ^ 0x01;
  return raw.toString('base64');
}

describe('keyless mode (mock Fulcio + Rekor on loopback)', () => {
  it('signs with a Fulcio certificate and a Rekor entry', () => {
    expect(mock.requests.map((r) => r.path)).toEqual(['/api/v2/signingCert', '/api/v1/log/entries']);
    const vm = artifact.bundle.verificationMaterial;
    expect(vm.certificate?.rawBytes).toBeDefined();
    expect(vm.tlogEntries).toHaveLength(1);
  });

  it('verifies against the trusted root and the exact identity, and reports the signer', () => {
    const v = verifyArtifactBytes(bytesOf(artifact), 'inv.json', policy());
    expect(v.signer.mode).toBe('keyless');
    expect(v.signer.identity).toBe(mock.sanFor(CLAIMS));
    expect(v.signer.issuer).toBe(GITHUB_ACTIONS_ISSUER);
    expect(v.signer.repositoryUri).toBe('https://github.com/acme/payments');
    expect(v.signer.tlogIndex).toBeDefined();
    expect(v.signer.integratedTime).toBe(NOW.toISOString());
  });

  it('rejects another workflow, issuer, repository or run (IDENTITY_MISMATCH)', () => {
    expect(codeOf(() => verifyArtifactBytes(bytesOf(artifact), 'x', policy({ subjectAlternativeName: 'https://github.com/acme/payments/.github/workflows/other.yml@refs/heads/main' })))).toBe('IDENTITY_MISMATCH');
    // A prefix of the real identity must not match (no regex, no prefix matching).
    expect(codeOf(() => verifyArtifactBytes(bytesOf(artifact), 'x', policy({ subjectAlternativeName: 'https://github.com/acme/payments/.github/workflows/gate.yml' })))).toBe('IDENTITY_MISMATCH');
    expect(codeOf(() => verifyArtifactBytes(bytesOf(artifact), 'x', policy({ issuer: 'https://accounts.google.com' })))).toBe('IDENTITY_MISMATCH');
    expect(codeOf(() => verifyArtifactBytes(bytesOf(artifact), 'x', policy({ repositoryUri: 'https://github.com/evil/payments' })))).toBe('IDENTITY_MISMATCH');
    expect(codeOf(() => verifyArtifactBytes(bytesOf(artifact), 'x', policy({ runInvocationUri: 'https://github.com/acme/payments/actions/runs/999/attempts/1' })))).toBe('IDENTITY_MISMATCH');
  });

  it('rejects one flipped byte of payload, certificate or log entry', () => {
    // The Rekor entry records the payload hash, so the log check is the first to catch it.
    expect(['TLOG_INVALID', 'SIGNATURE_INVALID']).toContain(codeOf(() => verifyArtifactBytes(mutate((b) => { b.dsseEnvelope.payload = flip(b.dsseEnvelope.payload, 30); }), 'x', policy())));
    const certLen = Buffer.from(artifact.bundle.verificationMaterial.certificate!.rawBytes, 'base64').length;
    for (const i of [40, Math.floor(certLen / 2), certLen - 10]) {
      const code = codeOf(() => verifyArtifactBytes(mutate((b) => { b.verificationMaterial.certificate.rawBytes = flip(b.verificationMaterial.certificate.rawBytes, i); }), 'x', policy()));
      expect(['KEY_UNTRUSTED', 'SIGNATURE_INVALID', 'BUNDLE_INVALID', 'TLOG_INVALID', 'IDENTITY_MISMATCH']).toContain(code);
    }
    const body = mutate((b) => {
      const e = b.verificationMaterial.tlogEntries[0]!;
      e.canonicalizedBody = flip(e.canonicalizedBody, 20);
    });
    expect(['TLOG_INVALID', 'SIGNATURE_INVALID']).toContain(codeOf(() => verifyArtifactBytes(body, 'x', policy())));
  });

  it('rejects a keyless bundle under a key policy, and a key bundle under a keyless policy', async () => {
    const kp = keyPair();
    expect(codeOf(() => verifyArtifactBytes(bytesOf(artifact), 'x', { ...policy(), trust: { mode: 'key', keys: [kp.pub] } }))).toBe('KEY_UNTRUSTED');
    const keyed = await signedInventory(keySigner(kp.priv, kp.pub), { now: NOW });
    expect(codeOf(() => verifyArtifactBytes(bytesOf(keyed), 'x', policy()))).toBe('KEY_UNTRUSTED');
  });

  it('rejects a certificate from another CA (another mock instance)', async () => {
    const other = await startSigstoreMock({ clock: NOW });
    try {
      const signer = keylessSigner({ fulcioUrl: other.fulcioUrl, rekorUrl: other.rekorUrl, identityProvider: other.identityProvider(CLAIMS), retries: 0 });
      const foreign = await signedInventory(signer, { now: NOW });
      expect(['KEY_UNTRUSTED', 'TLOG_INVALID']).toContain(codeOf(() => verifyArtifactBytes(bytesOf(foreign), 'x', policy())));
    } finally {
      await other.close();
    }
  });

  it('explains a missing OIDC token and an unreachable Sigstore, each with its own code', async () => {
    const noToken = keylessSigner({ fulcioUrl: mock.fulcioUrl, rekorUrl: mock.rekorUrl, identityProvider: { getToken: () => Promise.reject(new Error('CI: no tokens available')) }, retries: 0 });
    expect(await codeOfAsync(signedInventory(noToken, { now: NOW }))).toBe('PERMISSION_MISSING');
    const down = keylessSigner({ fulcioUrl: 'http://127.0.0.1:9', rekorUrl: 'http://127.0.0.1:9', identityProvider: mock.identityProvider(CLAIMS), retries: 0, timeoutMs: 2000 });
    expect(await codeOfAsync(signedInventory(down, { now: NOW }))).toBe('SIGNING_UNAVAILABLE');
  });
});
