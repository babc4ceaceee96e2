/**
 * Factories for signed test artifacts, with overrides: one place that knows how a
 * realistic genops artifact is made, so tests say only what differs.
 */
import type { KeyObject } from 'node:crypto';
import {
  buildHeader,
  buildStatement,
  generateSigningKeyPair,
  keySigner,
  loadPrivateKey,
  loadPublicKey,
  nodeFileSystem,
  PredicateTypes,
  signStatement,
  writeArtifact,
  type ArtifactSigner,
  type HandoffOutputs,
  type RunIdentity,
  type SignedArtifact,
} from '@genops/core';

/** The demo fixture's pull request (fixtures/demo): acme/payments #42. */
export const FIXTURE_REPOSITORY = 'acme/payments';
export const FIXTURE_PR_HEAD = '0b9d5e4c3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';

export interface TestKey {
  privateKeyPem: string;
  publicKeyPem: string;
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  signer: ArtifactSigner;
}

export function testKey(): TestKey {
  const kp = generateSigningKeyPair();
  const privateKey = loadPrivateKey(kp.privateKeyPem, 'test key');
  const publicKey = loadPublicKey(kp.publicKeyPem, 'test key');
  return { ...kp, privateKey, publicKey, signer: keySigner(privateKey, publicKey) };
}

/** The run identity runActionProcess's defaults describe (run 1000001, attempt 1, ci.yml). */
export function testRun(overrides: Partial<RunIdentity> = {}): RunIdentity {
  return {
    repository: FIXTURE_REPOSITORY,
    runId: '1000001',
    runAttempt: 1,
    workflowRef: `${FIXTURE_REPOSITORY}/.github/workflows/ci.yml@refs/pull/42/merge`,
    event: 'pull_request',
    ref: 'refs/pull/42/merge',
    sha: FIXTURE_PR_HEAD,
    ...overrides,
  };
}

export interface InventoryOptions {
  signer: ArtifactSigner;
  /** The commit the artifact is about. Default: the fixture PR head. */
  sha?: string;
  now?: Date;
  ttlSeconds?: number;
  run?: Partial<RunIdentity>;
  files?: { path: string; sha256: string; size: number; mediaType?: string }[];
}

export function signTestInventory(opts: InventoryOptions): Promise<SignedArtifact> {
  const sha = opts.sha ?? FIXTURE_PR_HEAD;
  const st = buildStatement({ repository: FIXTURE_REPOSITORY, gitCommit: sha }, PredicateTypes.inventory, {
    header: buildHeader({ component: 'evidence-collect', toolVersion: '0.1.0', run: testRun({ sha, ...opts.run }), now: opts.now ?? new Date(), ttlSeconds: opts.ttlSeconds ?? 3600 }),
    files: opts.files ?? [],
  });
  return signStatement(st, opts.signer);
}

/** Signs an inventory and writes it as an upstream step would, returning its handoff outputs. */
export async function writeTestInventory(path: string, opts: InventoryOptions): Promise<HandoffOutputs> {
  return writeArtifact(nodeFileSystem(), path, await signTestInventory(opts));
}
