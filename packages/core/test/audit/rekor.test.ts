// Keyless artifacts against the Sigstore mock (Fulcio + Rekor v1 on loopback): the ledger records
// each artifact's Rekor entry, and the record is checked offline against the trusted root.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { makeDecision, startSigstoreMock, testRun, FIXTURE_REPOSITORY, type SigstoreMock } from '@genops/testkit';
import { keylessSigner, signStatement, type ArtifactSigner } from '../../src/artifact/sign.js';
import { buildStatement, PredicateTypes } from '../../src/artifact/statement.js';
import { GITHUB_ACTIONS_ISSUER } from '../../src/artifact/trust.js';
import { verifyArtifactBytes, type VerifiedArtifact } from '../../src/artifact/verify.js';
import { appendToLedger, verifyLedger } from '../../src/audit/ledger.js';
import { localLedgerStore } from '../../src/audit/store-local.js';
import { checkRekorRecord } from '../../src/audit/rekor.js';
import type { CheckpointTrust } from '../../src/audit/checkpoint.js';
import type { LedgerEntry } from '../../src/audit/model.js';
import { ORIGIN, sha, tempDir } from './helpers.js';

const claims = { repository: FIXTURE_REPOSITORY, workflowPath: '.github/workflows/release.yml', ref: 'refs/heads/main', sha: sha(1), runId: '77', runAttempt: '1' };
let mock: SigstoreMock;
let other: SigstoreMock;
let signer: ArtifactSigner;
let entry: LedgerEntry;
let trust: CheckpointTrust;
let tmp: { dir: string; done: () => Promise<void> };

async function keylessDecision(): Promise<VerifiedArtifact> {
  const at = mock.clock;
  const predicate = makeDecision({
    header: { tool: { name: 'genops', version: '0.0.0-test', component: 'policy-gate' }, run: testRun({ sha: sha(1) }), createdAt: at.toISOString(), expiresAt: new Date(at.getTime() + 86_400_000).toISOString(), inputs: [] },
    change: { repository: FIXTURE_REPOSITORY, sha: sha(1), author: 'dev-alice', evaluatedAt: at.toISOString() },
  });
  const signed = await signStatement(buildStatement({ repository: FIXTURE_REPOSITORY, gitCommit: sha(1) }, PredicateTypes.decision, predicate), signer);
  return verifyArtifactBytes(Buffer.from(JSON.stringify(signed.bundle)), 'decision.json', {
    trust: { mode: 'keyless', trustedRoot: mock.trustedRoot, identity: { subjectAlternativeName: mock.sanFor(claims), issuer: GITHUB_ACTIONS_ISSUER } },
    predicateType: PredicateTypes.decision,
    now: at,
  });
}

beforeAll(async () => {
  mock = await startSigstoreMock();
  other = await startSigstoreMock({ clock: mock.clock });
  signer = keylessSigner({ fulcioUrl: mock.fulcioUrl, rekorUrl: mock.rekorUrl, identityProvider: mock.identityProvider(claims) });
  trust = { mode: 'keyless', trustedRoot: mock.trustedRoot, identity: { subjectAlternativeName: mock.sanFor(claims), issuer: GITHUB_ACTIONS_ISSUER } };
  tmp = await tempDir();
  const store = localLedgerStore(join(tmp.dir, 'ledger.jsonl'));
  // Keyless checkpoints too: each one gets its own Rekor entry.
  const result = await appendToLedger(store, [await keylessDecision()], {}, { signer, now: mock.clock, origin: ORIGIN });
  entry = result.entries[0]!;
});

afterAll(async () => {
  await tmp.done();
  await mock.close();
  await other.close();
});

describe('Rekor records', () => {
  it('records the log index, integrated time and inclusion proof of the artifact\'s Rekor entry', () => {
    const r = entry.artifact.rekor!;
    expect(r.logIndex).toMatch(/^\d+$/);
    expect(r.integratedAt).toBe(new Date(Number(r.integratedTime) * 1000).toISOString());
    expect(r.inclusionProof).toMatchObject({ logIndex: expect.stringMatching(/^\d+$/), treeSize: expect.stringMatching(/^\d+$/), hashes: expect.any(Array) });
    expect(r.inclusionProof!.checkpoint).toContain('\n\n\u2014 ');
    expect(entry.artifact.signer).toMatchObject({ mode: 'keyless', identity: mock.sanFor(claims), tlogIndex: r.logIndex });
  });

  it('checks offline against the trusted root: proof, signed log checkpoint, whole bundle', () => {
    expect(checkRekorRecord(entry, mock.trustedRoot, { fullBundle: true })).toEqual({ ok: true });
  });

  it('refuses a record checked against another log\'s trusted root', () => {
    const r = checkRekorRecord(entry, other.trustedRoot);
    expect(r.ok).toBe(false);
    expect(r.problem).toMatch(/transparency log the trusted root does not list|no trusted transparency log key/);
  });

  it('refuses a record whose inclusion proof was altered', () => {
    const p = entry.artifact.rekor!.inclusionProof!;
    const root = Buffer.from(p.rootHash, 'base64');
    root[0] = (root[0] ?? 0) ^ 1;
    const altered = { ...entry, artifact: { ...entry.artifact, rekor: { ...entry.artifact.rekor!, inclusionProof: { ...p, rootHash: root.toString('base64') } } } };
    expect(checkRekorRecord(altered, mock.trustedRoot).problem).toContain('not its bundle');
    const bundle = structuredClone(entry.artifact.bundle) as any;
    bundle.verificationMaterial.tlogEntries[0].inclusionProof.rootHash = root.toString('base64');
    const both = { ...altered, artifact: { ...altered.artifact, bundle } };
    expect(checkRekorRecord(both, mock.trustedRoot).problem).toContain('does not put the entry');
  });

  it('a key-mode entry has no Rekor record to check', () => {
    const { rekor: _r, ...artifact } = entry.artifact;
    expect(checkRekorRecord({ ...entry, artifact }, mock.trustedRoot)).toMatchObject({ ok: false, problem: expect.stringContaining('no Rekor entry') });
  });

  it('the keyless ledger verifies, checkpoint identity included', async () => {
    const store = localLedgerStore(join(tmp.dir, 'ledger.jsonl'));
    const report = await verifyLedger(store.lines(), { checkpointTrust: trust, checkpointLines: store.checkpointLines(), artifactTrust: { mode: 'keyless', trustedRoot: mock.trustedRoot }, rekorTrustedRoot: mock.trustedRoot });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, size: 1, artifactSignaturesChecked: 1 });
    const wrongIdentity: CheckpointTrust = { ...trust, identity: { subjectAlternativeName: 'https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main', issuer: GITHUB_ACTIONS_ISSUER } } as CheckpointTrust;
    const bad = await verifyLedger(store.lines(), { checkpointTrust: wrongIdentity, checkpointLines: store.checkpointLines() });
    expect(bad.problems[0]!.message).toContain('checkpoint signed by a different certificate identity');
    const otherRoot = await verifyLedger(store.lines(), { checkpointTrust: trust, checkpointLines: store.checkpointLines(), rekorTrustedRoot: other.trustedRoot });
    expect(otherRoot.problems[0]).toMatchObject({ kind: 'rekor-invalid', seq: 0 });
  });
});
