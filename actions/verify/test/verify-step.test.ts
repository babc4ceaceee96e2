import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { startSigstoreMock, type SigstoreMock } from '@genops/testkit';
import {
  buildHeader,
  buildStatement,
  fixedClock,
  generateSigningKeyPair,
  keylessSigner,
  keySigner,
  loadPrivateKey,
  loadPublicKey,
  memoryRuntime,
  nodeFileSystem,
  normalizeContext,
  PredicateTypes,
  runAction,
  runIdentityOf,
  signStatement,
  verifyArtifactBytes,
  verifyStep,
  VERIFY_STEP_INPUTS,
  VERIFY_STEP_OUTPUTS,
  writeArtifact,
  type ArtifactSigner,
  type RunContext,
  type VerifyDeps,
} from '@genops/core';

const here = fileURLToPath(new URL('.', import.meta.url));
const NOW = new Date('2026-03-02T10:00:00Z');
const HEAD = '0b9d5e4c3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';

let dir: string;
let ctx: RunContext;
const kp = generateSigningKeyPair();
const keyed = keySigner(loadPrivateKey(kp.privateKeyPem, 'k'), loadPublicKey(kp.publicKeyPem, 'k'));

async function produce(signer: ArtifactSigner, name: string, opts: { now?: Date; sha?: string } = {}) {
  const st = buildStatement({ repository: ctx.repository.fullName, gitCommit: opts.sha ?? ctx.subjectSha }, PredicateTypes.inventory, {
    header: buildHeader({ component: 'evidence-collect', toolVersion: '0.1.0', run: runIdentityOf(ctx), now: opts.now ?? NOW, ttlSeconds: 3600 }),
    files: [],
  });
  return writeArtifact(nodeFileSystem(), join(dir, name), await signStatement(st, signer));
}

function deps(over: Partial<VerifyDeps> = {}): VerifyDeps {
  return { context: ctx, fs: nodeFileSystem(dir), clock: fixedClock(NOW), tempDir: join(dir, 'tmp'), ...over };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-verify-'));
  const fx = join(here, '..', '..', '..', 'fixtures', 'demo');
  const env = JSON.parse(await readFile(join(fx, 'env.json'), 'utf8')) as Record<string, string>;
  ctx = normalizeContext(env, JSON.parse(await readFile(join(fx, 'event.json'), 'utf8')));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('verify action', () => {
  it('declares exactly the inputs and outputs the step reads and writes', async () => {
    const yml = load(await readFile(join(here, '..', 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown>; runs: { using: string; main: string } };
    expect(Object.keys(yml.inputs).sort()).toEqual([...VERIFY_STEP_INPUTS].sort());
    expect(Object.keys(yml.outputs).sort()).toEqual([...VERIFY_STEP_OUTPUTS].sort());
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('verifies a key-mode artifact for the PR head and signs a receipt naming it as input', async () => {
    const a = await produce(keyed, 'inv.json');
    const signing = generateSigningKeyPair();
    const rt = memoryRuntime({
      artifacts: a['artifact-path'],
      'artifact-digest': a['artifact-digest'],
      'predicate-type': 'inventory',
      'public-keys': kp.publicKeyPem,
      'receipt-path': join(dir, 'receipt.json'),
      'signing-key': signing.privateKeyPem,
    });
    expect(await runAction(rt, 'verify', () => verifyStep(rt, deps()))).toBe(true);
    expect(rt.failed).toBeUndefined();
    expect(rt.outputs['verified-count']).toBe('1');
    expect(rt.outputs['verified-digests']).toBe(a['artifact-digest']);
    expect(rt.secrets).toContain(signing.privateKeyPem.trim());
    expect(rt.secrets.length).toBeGreaterThan(2);
    expect(rt.summary).toContain('1 upstream artifact(s) verified');
    const receipt = verifyArtifactBytes(await readFile(rt.outputs['artifact-path']!), 'receipt', {
      trust: { mode: 'key', keys: [loadPublicKey(signing.publicKeyPem, 'p')] },
      predicateType: PredicateTypes.receipt,
      subject: { gitCommit: HEAD },
      now: NOW,
      expectedDigest: rt.outputs['artifact-digest']!,
    });
    expect(receipt.statement.predicate.header.inputs).toEqual([{ name: a['artifact-path'], predicateType: PredicateTypes.inventory, digest: { sha256: a['artifact-digest'].slice(7) } }]);
  });

  it.each([
    ['an artifact for another commit', { sha: 'f'.repeat(40) }, {}, 'SUBJECT_MISMATCH'],
    ['an expired artifact', { now: new Date(NOW.getTime() - 2 * 3600_000) }, {}, 'EXPIRED'],
    ['the wrong digest', {}, { 'artifact-digest': `sha256:${'1'.repeat(64)}` }, 'DIGEST_MISMATCH'],
    ['the wrong kind', {}, { 'predicate-type': 'decision' }, 'PREDICATE_TYPE_MISMATCH'],
    ['a missing file', {}, { artifacts: 'nope/*.json' }, 'ARTIFACT_NOT_FOUND'],
  ])('fails the step, closed, on %s', async (_name, produceOpts, inputOver, code) => {
    const a = await produce(keyed, `bad-${code}.json`, produceOpts);
    const rt = memoryRuntime({ artifacts: a['artifact-path'], 'artifact-digest': a['artifact-digest'], 'predicate-type': 'inventory', 'public-keys': kp.publicKeyPem, ...inputOver });
    expect(await runAction(rt, 'verify', () => verifyStep(rt, deps()))).toBe(false);
    expect(rt.failed).toMatch(new RegExp(`^${code}: `));
    expect(rt.annotations[0]).toMatchObject({ level: 'error', place: { title: `genops verify: ${code}` } });
    expect(rt.summary).toContain(code);
    expect(rt.outputs['verified-count']).toBeUndefined();
  });

  it('lists every input problem at once', async () => {
    const rt = memoryRuntime({ 'same-run': 'yes', 'max-artifact-bytes': '12abc', 'subject-sha': 'main' });
    expect(await runAction(rt, 'verify', () => verifyStep(rt, deps()))).toBe(false);
    for (const name of ['predicate-type', 'artifacts', 'artifact-digest', 'same-run', 'max-artifact-bytes', 'subject-sha']) expect(rt.failed).toContain(`- ${name}:`);
  });

  it('verifies keyless artifacts against this workflow and run by default, and rejects another run', async () => {
    const mock: SigstoreMock = await startSigstoreMock();
    try {
      const now = mock.clock;
      const claims = { repository: 'acme/payments', workflowPath: '.github/workflows/release-gate.yml', ref: 'refs/pull/42/merge', sha: ctx.sha, runId: String(ctx.runId), runAttempt: String(ctx.runAttempt) };
      const signer = keylessSigner({ fulcioUrl: mock.fulcioUrl, rekorUrl: mock.rekorUrl, identityProvider: mock.identityProvider(claims), retries: 0 });
      const a = await produce(signer, 'keyless.json', { now });
      const rootPath = join(dir, 'trusted_root.json');
      await writeFile(rootPath, JSON.stringify(mock.trustedRoot));
      const inputs = { artifacts: a['artifact-path'], 'artifact-digest': a['artifact-digest'], 'predicate-type': 'inventory', 'trusted-root': rootPath };
      const rt = memoryRuntime(inputs);
      expect(await runAction(rt, 'verify', () => verifyStep(rt, deps({ clock: fixedClock(now) })))).toBe(true);

      const otherRun = await produce(keylessSigner({ fulcioUrl: mock.fulcioUrl, rekorUrl: mock.rekorUrl, identityProvider: mock.identityProvider({ ...claims, runId: '1' }), retries: 0 }), 'keyless-other.json', { now });
      const rt2 = memoryRuntime({ ...inputs, artifacts: otherRun['artifact-path'], 'artifact-digest': otherRun['artifact-digest'] });
      expect(await runAction(rt2, 'verify', () => verifyStep(rt2, deps({ clock: fixedClock(now) })))).toBe(false);
      expect(rt2.failed).toMatch(/^IDENTITY_MISMATCH: .*workflow run/);
      // ... which passes once the workflow says artifacts may come from another run.
      const rt3 = memoryRuntime({ ...inputs, artifacts: otherRun['artifact-path'], 'artifact-digest': otherRun['artifact-digest'], 'same-run': 'false' });
      expect(await runAction(rt3, 'verify', () => verifyStep(rt3, deps({ clock: fixedClock(now) })))).toBe(true);
    } finally {
      await mock.close();
    }
  });

  it('asks for id-token: write when a keyless receipt cannot get an OIDC token', async () => {
    const a = await produce(keyed, 'inv2.json');
    const rt = memoryRuntime({ artifacts: a['artifact-path'], 'artifact-digest': a['artifact-digest'], 'predicate-type': 'inventory', 'public-keys': kp.publicKeyPem, 'receipt-path': join(dir, 'r2.json') });
    expect(await runAction(rt, 'verify', () => verifyStep(rt, deps()))).toBe(false);
    expect(rt.failed).toMatch(/^PERMISSION_MISSING: /);
    expect(rt.failed).toContain('id-token: write');
  });
});
