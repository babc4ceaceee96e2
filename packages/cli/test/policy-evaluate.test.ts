/**
 * `genops policy evaluate` through runCli: evidence and risk signed with a throwaway key, the
 * default packs (or one of them) evaluated at the fixture's moment, the signed decision verified
 * as the next job would. Fail closed: tampered evidence, a risk computed from other evidence, or
 * an untrusted key never reach the policies.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEvidenceStatement, nodeFileSystem, signStatement, writeArtifact, type DecisionPredicate, type Evidence } from '@genops/core';
import { FIXTURE_PR_HEAD as SHA, startFakeGitHub, testKey, testRun } from '@genops/testkit';
import { EXIT, runCli } from '../src/cli.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const changes = join(here, '..', '..', '..', 'fixtures', 'risk', 'changes');
const FRIDAY_EVENING = '2026-03-13T16:30:00Z';
const kp = testKey();
const other = testKey();
let dir: string;
let keyPath: string;
let pubPath: string;
let otherKeyPath: string;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n'), lines: out };
}

async function signedEvidence(fixture: string, name: string, signer = kp.signer, signedAt = '2026-03-13T16:00:00Z'): Promise<string> {
  const body = JSON.parse(await readFile(join(changes, fixture), 'utf8')) as Evidence;
  const st = buildEvidenceStatement({ repository: 'acme/payments', gitCommit: SHA }, { toolVersion: '0.1.0', run: testRun(), now: new Date(signedAt), ttlSeconds: 7 * 24 * 3600 }, body);
  return (await writeArtifact(nodeFileSystem(), join(dir, name), await signStatement(st, signer)))['artifact-path'];
}

async function decisionOf(path: string): Promise<DecisionPredicate> {
  const bundle = JSON.parse(await readFile(path, 'utf8')) as { dsseEnvelope: { payload: string } };
  return (JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as { predicate: DecisionPredicate }).predicate;
}

let friday: string;
let fridayRisk: string;
let docs: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-cli-policy-'));
  keyPath = join(dir, 'signing.key');
  pubPath = join(dir, 'signing.pub');
  otherKeyPath = join(dir, 'other.key');
  await writeFile(keyPath, kp.privateKeyPem);
  await writeFile(pubPath, kp.publicKeyPem);
  await writeFile(otherKeyPath, other.privateKeyPem);
  friday = await signedEvidence('friday-migration.evidence.json', 'friday.intoto.json');
  docs = await signedEvidence('docs-only.evidence.json', 'docs.intoto.json', kp.signer, '2026-03-11T09:00:00Z');
  fridayRisk = join(dir, 'friday-risk.intoto.json');
  const r = await cli('risk', 'score', '--evidence', friday, '--key', keyPath, '--out', fridayRisk, '--now', FRIDAY_EVENING);
  expect(r.code).toBe(EXIT.ok);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('genops policy evaluate', () => {
  it('denies a Friday-evening production migration, says why and how to fix it, and signs the decision', async () => {
    const out = join(dir, 'decision-friday.intoto.json');
    const r = await cli('policy', 'evaluate', '--evidence', friday, '--risk', fridayRisk, '--policies', 'default:genops-baseline', '--key', keyPath, '--out', out, '--now', FRIDAY_EVENING);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toContain('POLICY_DENIED');
    expect(r.lines[0]).toMatch(/^decision DENY for production \(gate pr;/);
    expect(r.out).toContain('genops-baseline/no-late-friday-or-weekend-deploys: violated -> deny');
    expect(r.out).toContain('fix: Deploy on Monday morning');
    expect(r.out).toMatch(/signed .*decision-friday\.intoto\.json sha256:[0-9a-f]{64}/);

    // The next job verifies it like any artifact: the decision schema, the signature, the subject.
    const v = await cli('verify', out, '--key', pubPath, '--predicate-type', 'decision', '--subject', SHA, '--now', FRIDAY_EVENING);
    expect(v.err).toBe('');
    expect(v.code).toBe(EXIT.ok);
    const d = await decisionOf(out);
    expect(d.decision).toBe('deny');
    expect(d.header.inputs.map((i) => i.predicateType)).toEqual(['https://genops.dev/attestations/evidence/v1', 'https://genops.dev/attestations/risk/v1']);
    expect(d.risk?.tier).toBeDefined();
    expect(d.policy.sets.map((s) => s.name)).toEqual(['genops-baseline']);
    expect(d.counts.violated).toBe(d.results.filter((x) => x.outcome === 'violated').length);
  });

  it('allows a docs-only change on a Wednesday under the baseline pack (exit 0), with no required environment', async () => {
    const out = join(dir, 'decision-docs.intoto.json');
    const r = await cli('policy', 'evaluate', '--evidence', docs, '--policies', 'default:genops-baseline', '--key', keyPath, '--out', out, '--now', '2026-03-11T10:00:00Z', '--json');
    expect(r.code).toBe(EXIT.ok);
    const body = JSON.parse(r.out) as DecisionPredicate;
    expect(body.decision).toBe('allow');
    expect(body.requiredEnvironment).toBeUndefined();
    expect(r.err).toMatch(/^signed /);
  });

  it('reads a policy repository at one commit with --policies github:OWNER/REPO/PATH@REF (token and API root from the environment)', async () => {
    const orgSet = 'apiVersion: genops.dev/v1\nkind: PolicySet\nmetadata: { name: org-rules }\nspec:\n  rules:\n    - id: no-docs-only\n      title: Docs-only changes are held (a test rule)\n      expression: "false"\n      message: held by the organisation\n      decision: deny\n';
    const gh = await startFakeGitHub({ token: 'ghs_org', seed: { repos: { 'acme/policies': { branches: { main: { 'gates/org.yaml': orgSet } } } } } });
    const saved = { GITHUB_TOKEN: process.env.GITHUB_TOKEN, GH_TOKEN: process.env.GH_TOKEN, GITHUB_API_URL: process.env.GITHUB_API_URL };
    try {
      Object.assign(process.env, { GITHUB_TOKEN: 'ghs_org', GITHUB_API_URL: gh.url });
      const r = await cli('policy', 'evaluate', '--evidence', docs, '--policies', 'github:acme/policies/gates@main', '--key', keyPath, '--out', join(dir, 'org.json'), '--now', '2026-03-11T10:00:00Z');
      expect(r.code).toBe(EXIT.rejected);
      expect(r.out).toContain('org-rules/no-docs-only: violated -> deny');
      delete process.env.GITHUB_TOKEN;
      delete process.env.GH_TOKEN;
      const noToken = await cli('policy', 'evaluate', '--evidence', docs, '--policies', 'github:acme/policies/gates@main', '--key', keyPath, '--out', join(dir, 'org2.json'), '--now', '2026-03-11T10:00:00Z');
      expect(noToken.code).not.toBe(EXIT.ok);
      expect(noToken.err).toMatch(/^INPUT_MISSING: --policies github:…: no GitHub token/);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) Reflect.deleteProperty(process.env, k);
        else process.env[k] = v;
      }
      await gh.close();
    }
    expect(gh.problems).toEqual([]);
  });

  it('refuses a risk artifact computed from other evidence (chain), before any policy runs', async () => {
    const r = await cli('policy', 'evaluate', '--evidence', docs, '--risk', fridayRisk, '--key', keyPath, '--out', join(dir, 'x.json'), '--now', FRIDAY_EVENING);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toMatch(/^ARTIFACT_NOT_FOUND: /);
  });

  it('refuses evidence signed by a key it does not trust, and tampered evidence', async () => {
    const foreign = await signedEvidence('docs-only.evidence.json', 'foreign.intoto.json', other.signer);
    const r = await cli('policy', 'evaluate', '--evidence', foreign, '--key', keyPath, '--out', join(dir, 'y.json'), '--now', FRIDAY_EVENING);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toMatch(/^KEY_UNTRUSTED: /);
    const text = await readFile(docs, 'utf8');
    const bundle = JSON.parse(text) as { dsseEnvelope: { payload: string } };
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8').replace(SHA, `${SHA.slice(0, -1)}${SHA.endsWith('0') ? '1' : '0'}`);
    bundle.dsseEnvelope.payload = Buffer.from(payload).toString('base64');
    const tampered = join(dir, 'tampered.intoto.json');
    await writeFile(tampered, JSON.stringify(bundle));
    const t = await cli('policy', 'evaluate', '--evidence', tampered, '--key', keyPath, '--out', join(dir, 'z.json'), '--now', FRIDAY_EVENING);
    expect(t.code).toBe(EXIT.rejected);
    expect(t.err).toMatch(/^SIGNATURE_INVALID: /);
  });

  it('names an unknown default pack and what exists', async () => {
    const r = await cli('policy', 'evaluate', '--evidence', docs, '--policies', 'default:nope', '--key', keyPath, '--out', join(dir, 'w.json'), '--now', FRIDAY_EVENING);
    expect(r.code).toBe(EXIT.config);
    expect(r.err).toContain('genops-baseline');
  });
});
