import {
  buildHeader,
  buildStatement,
  generateSigningKeyPair,
  keySigner,
  loadPrivateKey,
  loadPublicKey,
  PredicateTypes,
  signStatement,
  type ArtifactSigner,
  type RunIdentity,
  type SignedArtifact,
} from '../../src/index.js';

export const NOW = new Date('2026-03-02T10:00:00Z');
export const SHA = 'a'.repeat(40);
export const OTHER_SHA = 'b'.repeat(40);

export const RUN: RunIdentity = {
  repository: 'acme/payments',
  runId: '123456',
  runAttempt: 1,
  workflowRef: 'acme/payments/.github/workflows/gate.yml@refs/heads/main',
  event: 'pull_request',
  ref: 'refs/pull/7/merge',
  sha: SHA,
};

export function keyPair() {
  const kp = generateSigningKeyPair();
  return { ...kp, priv: loadPrivateKey(kp.privateKeyPem, 'test'), pub: loadPublicKey(kp.publicKeyPem, 'test') };
}

export function inventoryStatement(opts: { sha?: string; now?: Date; ttl?: number } = {}) {
  return buildStatement({ repository: RUN.repository, gitCommit: opts.sha ?? SHA }, PredicateTypes.inventory, {
    header: buildHeader({ component: 'evidence-collect', toolVersion: '0.1.0', run: RUN, now: opts.now ?? NOW, ttlSeconds: opts.ttl ?? 3600 }),
    files: [{ path: 'fixtures/sbom.cdx.json', sha256: 'c'.repeat(64), size: 1234, mediaType: 'application/vnd.cyclonedx+json' }],
  });
}

export async function signedInventory(signer: ArtifactSigner, opts: Parameters<typeof inventoryStatement>[0] = {}): Promise<SignedArtifact> {
  return signStatement(inventoryStatement(opts), signer);
}

export function bytesOf(a: SignedArtifact): Buffer {
  return Buffer.from(JSON.stringify(a.bundle));
}

export { keySigner };
