import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { FIXTURE_PR_HEAD as HEAD, testKey } from '@genops/testkit';
import {
  buildEvidenceStatement,
  fixedClock,
  memoryRuntime,
  nodeFileSystem,
  normalizeContext,
  PredicateTypes,
  RISK_STEP_INPUTS,
  RISK_STEP_OUTPUTS,
  riskStep,
  runAction,
  runIdentityOf,
  signStatement,
  verifyArtifactBytes,
  writeArtifact,
  type Evidence,
  type RiskDeps,
  type RiskPredicate,
  type RunContext,
} from '@genops/core';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixtures = join(here, '..', '..', '..', 'fixtures');
// Friday 17:30 in Berlin: the friday-migration fixture's moment (fixtures/risk/changes/README.md).
const NOW = new Date('2026-03-13T16:30:00Z');
const kp = testKey();
const other = testKey();

let ws: string;
let ctx: RunContext;
let evidence: { 'artifact-path': string; 'artifact-digest': string };

function deps(over: Partial<RiskDeps> = {}): RiskDeps {
  return {
    context: ctx,
    fs: nodeFileSystem(ws),
    clock: fixedClock(NOW),
    tempDir: join(ws, 'tmp'),
    github: () => {
      throw new Error('no GitHub in this test');
    },
    ...over,
  };
}

async function signEvidence(name: string, signer = kp.signer, sha = HEAD) {
  const body = JSON.parse(await readFile(join(fixtures, 'risk', 'changes', `${name}.evidence.json`), 'utf8')) as Evidence;
  const st = buildEvidenceStatement({ repository: ctx.repository.fullName, gitCommit: sha }, { toolVersion: '0.1.0', run: runIdentityOf(ctx), now: new Date(NOW.getTime() - 60_000), ttlSeconds: 3600 }, body);
  return writeArtifact(nodeFileSystem(ws), `${name}-${sha.slice(0, 6)}.intoto.json`, await signStatement(st, signer));
}

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'genops-risk-'));
  await cp(join(fixtures, 'risk', 'incidents'), join(ws, 'postmortems'), { recursive: true });
  const fx = join(fixtures, 'demo');
  const env = JSON.parse(await readFile(join(fx, 'env.json'), 'utf8')) as Record<string, string>;
  ctx = normalizeContext(env, JSON.parse(await readFile(join(fx, 'event.json'), 'utf8')));
  evidence = await signEvidence('friday-migration');
});
afterAll(() => rm(ws, { recursive: true, force: true }));

const base = () => ({ artifacts: evidence['artifact-path'], 'artifact-digest': evidence['artifact-digest'], 'public-keys': kp.publicKeyPem, 'signing-key': kp.privateKeyPem });

describe('risk-score action', () => {
  it('declares exactly the inputs and outputs the step reads and writes', async () => {
    const yml = load(await readFile(join(here, '..', 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown>; runs: unknown };
    expect(Object.keys(yml.inputs).sort()).toEqual([...RISK_STEP_INPUTS].sort());
    expect(Object.keys(yml.outputs).sort()).toEqual([...RISK_STEP_OUTPUTS].sort());
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('verifies the evidence, scores it, and signs a risk artifact naming the evidence as input', async () => {
    const rt = memoryRuntime({ ...base(), incidents: 'postmortems/*.md', 'output-path': 'out/risk.json' });
    const ok = await runAction(rt, 'risk-score', async () => {
      await riskStep(rt, deps());
    });
    expect(rt.failed).toBeUndefined();
    expect(ok).toBe(true);
    expect(rt.outputs.tier).toBe('critical');
    expect(rt.outputs['canary-plan']).toBe('1,2,5,10,25,50,100');
    const v = verifyArtifactBytes(await readFile(join(ws, 'out/risk.json')), 'risk', {
      trust: { mode: 'key', keys: [kp.publicKey] },
      predicateType: PredicateTypes.risk,
      subject: { gitCommit: HEAD },
      now: NOW,
      expectedDigest: rt.outputs['artifact-digest']!,
    });
    const p = v.statement.predicate as unknown as RiskPredicate;
    expect(p.score.toFixed(4)).toBe(rt.outputs.score);
    expect(p.header.inputs).toEqual([{ name: evidence['artifact-path'], predicateType: PredicateTypes.evidence, digest: { sha256: evidence['artifact-digest'].slice(7) } }]);
    expect(p.factors.reduce((s, f) => s + f.contribution, 0)).toBe(p.score);
    // A migration touching the orders repository finds the migration post-mortems.
    expect(p.incidents.length).toBeGreaterThan(0);
    expect(rt.summary).toContain('### genops risk: critical');
    expect(rt.summary).toContain('| **score** |');
  });

  it.each([
    ['evidence signed by another key', async () => {
      const e = await signEvidence('docs-only', other.signer);
      return { ...base(), artifacts: e['artifact-path'], 'artifact-digest': e['artifact-digest'] };
    }, 'KEY_UNTRUSTED'],
    ['evidence about another commit', async () => {
      const e = await signEvidence('docs-only', kp.signer, 'f'.repeat(40));
      return { ...base(), artifacts: e['artifact-path'], 'artifact-digest': e['artifact-digest'] };
    }, 'SUBJECT_MISMATCH'],
    ['the wrong digest', async () => ({ ...base(), 'artifact-digest': `sha256:${'1'.repeat(64)}` }), 'DIGEST_MISMATCH'],
    ['no digest', async () => ({ ...base(), 'artifact-digest': '' }), 'INPUT_MISSING'],
    ['a config with a bad key', async () => {
      await writeFile(join(ws, 'risk.yml'), 'thresholds:\n  medium: 0.9\n  high: 0.5\n  critical: 0.95\n');
      return { ...base(), config: 'risk.yml' };
    }, 'FILE_INVALID'],
  ])('fails closed on %s, and signs nothing', async (_name, inputs, code) => {
    const given = await inputs();
    const rt = memoryRuntime({ ...(given as Record<string, string>), 'output-path': 'out/refused.json' });
    expect(await runAction(rt, 'risk-score', async () => { await riskStep(rt, deps()); })).toBe(false);
    expect(rt.failed).toMatch(new RegExp(`^${code}: `));
    expect(existsSync(join(ws, 'out/refused.json'))).toBe(false);
    expect(rt.outputs.tier).toBeUndefined();
  });
});
