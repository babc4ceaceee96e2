/**
 * Smoke test of the bundled risk-score action as a child process (Node 24 when GENOPS_NODE24 is
 * set, as in CI): evidence signed from a fixture change, verified, scored, risk signed; and a
 * tampered evidence bundle refused.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_PR_HEAD as HEAD, runActionProcess, startFakeGitHub, testKey, testRun, type FakeGitHub } from '@genops/testkit';
import { buildEvidenceStatement, nodeFileSystem, PredicateTypes, signStatement, verifyArtifactBytes, writeArtifact, type Evidence, type RiskPredicate } from '@genops/core';

const here = fileURLToPath(new URL('.', import.meta.url));
const entry = join(here, '..', 'dist', 'index.js');
const fixtures = join(here, '..', '..', '..', 'fixtures');
const node = process.env.GENOPS_NODE24 ?? process.execPath;
const kp = testKey();

let ws: string;
let gh: FakeGitHub;
let payload: unknown;
let evidence: { 'artifact-path': string; 'artifact-digest': string };

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'genops-risk-smoke-'));
  gh = await startFakeGitHub();
  await cp(join(fixtures, 'risk', 'incidents'), join(ws, 'postmortems'), { recursive: true });
  payload = JSON.parse(await readFile(join(fixtures, 'demo', 'event.json'), 'utf8'));
  const body = JSON.parse(await readFile(join(fixtures, 'risk', 'changes', 'vulnerable-bump.evidence.json'), 'utf8')) as Evidence;
  // Made just now (the bundled action reads the real clock), valid for an hour.
  const st = buildEvidenceStatement({ repository: 'acme/payments', gitCommit: HEAD }, { toolVersion: '0.1.0', run: testRun(), now: new Date(Date.now() - 1000), ttlSeconds: 3600 }, body);
  evidence = await writeArtifact(nodeFileSystem(ws), 'evidence.intoto.json', await signStatement(st, kp.signer));
});
afterAll(async () => {
  await gh.close();
  await rm(ws, { recursive: true, force: true });
});

function run(inputs: Record<string, string>) {
  return runActionProcess({ entry, node, inputs, eventName: 'pull_request', eventPayload: payload, cwd: ws, github: gh, repository: 'acme/payments', ref: 'refs/pull/42/merge', timeoutMs: 60_000 });
}

describe('risk-score action bundle', () => {
  it('exists (pnpm build writes it)', () => {
    expect(existsSync(entry)).toBe(true);
  });

  it(`verifies the evidence, scores it and signs the risk (node ${node === process.execPath ? process.version : 'from GENOPS_NODE24'})`, async () => {
    const r = await run({ artifacts: 'evidence.intoto.json', 'artifact-digest': evidence['artifact-digest'], 'public-keys': kp.publicKeyPem, 'signing-key': kp.privateKeyPem, incidents: 'postmortems/*.md' });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(['low', 'medium', 'high', 'critical']).toContain(r.outputs.tier);
    expect(r.outputs['canary-plan']?.split(',').at(-1)).toBe('100');
    const v = verifyArtifactBytes(await readFile(join(ws, r.outputs['artifact-path']!)), 'risk', {
      trust: { mode: 'key', keys: [kp.publicKey] },
      predicateType: PredicateTypes.risk,
      subject: { gitCommit: HEAD },
      now: new Date(),
      expectedDigest: r.outputs['artifact-digest']!,
    });
    const p = v.statement.predicate as unknown as RiskPredicate;
    expect(p.score.toFixed(4)).toBe(r.outputs.score);
    expect(p.factors.find((f) => f.name === 'vulnerabilities')?.value).toBe(1);
    expect(r.summary).toContain('### genops risk:');
    expect(gh.rejected).toEqual([]);
  });

  it('refuses a tampered evidence bundle with an annotation, and signs nothing', async () => {
    const b = JSON.parse(await readFile(join(ws, 'evidence.intoto.json'), 'utf8')) as { dsseEnvelope: { payload: string } };
    const p = Buffer.from(b.dsseEnvelope.payload, 'base64');
    p[20] = (p[20] ?? 0) ^ 1;
    b.dsseEnvelope.payload = p.toString('base64');
    await writeFile(join(ws, 'tampered.json'), JSON.stringify(b));
    const r = await run({ artifacts: 'tampered.json', 'artifact-digest': evidence['artifact-digest'], 'public-keys': kp.publicKeyPem, 'signing-key': kp.privateKeyPem, 'output-path': 'refused.json' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(/::error title=genops risk-score%3A SIGNATURE_INVALID,file=tampered.json::/);
    expect(existsSync(join(ws, 'refused.json'))).toBe(false);
  });
});
