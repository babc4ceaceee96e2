import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { FIXTURE_PR_HEAD as HEAD, FIXTURE_PULL, fixturePullRunContext, fixtureRepoSeed, startFakeGitHub, testKey } from '@genops/testkit';
import {
  createGitHubClient,
  EVIDENCE_STEP_INPUTS,
  memoryLogger,
  EVIDENCE_STEP_OUTPUTS,
  evidenceStep,
  fixedClock,
  memoryRuntime,
  nodeFileSystem,
  normalizeContext,
  PredicateTypes,
  runAction,
  verifyArtifactBytes,
  type EvidenceDeps,
  type EvidencePredicate,
  type RunContext,
} from '@genops/core';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixtures = join(here, '..', '..', '..', 'fixtures');
const NOW = new Date('2026-03-02T10:00:00Z');
const kp = testKey();

let ws: string;
let ctx: RunContext;

function deps(over: Partial<EvidenceDeps> = {}): EvidenceDeps {
  return {
    context: ctx,
    fs: nodeFileSystem(ws),
    clock: fixedClock(NOW),
    workspaceRoot: ws,
    github: () => {
      throw new Error('no GitHub in this test');
    },
    ...over,
  };
}

/** The local sources every case starts from (no GitHub reads). */
const LOCAL = {
  sbom: 'fixtures/evidence/sbom/orders-api.head.cdx.json',
  'base-sbom': 'fixtures/evidence/sbom/orders-api.base.cdx.json',
  vulnerabilities: 'fixtures/evidence/vulns/grype.json\nfixtures/evidence/vulns/trivy.json\nfixtures/evidence/vulns/*.sarif',
  vex: 'fixtures/evidence/vex/openvex.json',
  junit: 'fixtures/evidence/tests/*.xml',
  coverage: 'fixtures/evidence/coverage/lcov.info',
  diff: 'fixtures/evidence/diff/change.diff',
  eval: 'fixtures/evidence/genai/promptfoo-*.json',
  traces: 'fixtures/evidence/genai/*.otlp.json',
  metadata: 'fixtures/evidence/metadata/genops.yaml',
  'fetch-change': 'false',
};

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'genops-evidence-'));
  await cp(fixtures, join(ws, 'fixtures'), { recursive: true });
  const fx = join(fixtures, 'demo');
  const env = JSON.parse(await readFile(join(fx, 'env.json'), 'utf8')) as Record<string, string>;
  ctx = normalizeContext(env, JSON.parse(await readFile(join(fx, 'event.json'), 'utf8')));
});
afterAll(() => rm(ws, { recursive: true, force: true }));

describe('evidence-collect action', () => {
  it('declares exactly the inputs and outputs the step reads and writes', async () => {
    const yml = load(await readFile(join(here, '..', 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown>; runs: unknown };
    expect(Object.keys(yml.inputs).sort()).toEqual([...EVIDENCE_STEP_INPUTS].sort());
    expect(Object.keys(yml.outputs).sort()).toEqual([...EVIDENCE_STEP_OUTPUTS].sort());
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('collects every local source, signs one evidence statement about the PR head, and reports counts', async () => {
    const rt = memoryRuntime({ ...LOCAL, 'signing-key': kp.privateKeyPem, 'output-path': 'out/evidence.json' });
    const ok = await runAction(rt, 'evidence-collect', async () => { await evidenceStep(rt, deps()); });
    expect(rt.failed).toBeUndefined();
    expect(ok).toBe(true);
    const v = verifyArtifactBytes(await readFile(join(ws, 'out/evidence.json')), 'evidence', {
      trust: { mode: 'key', keys: [kp.publicKey] },
      predicateType: PredicateTypes.evidence,
      subject: { gitCommit: HEAD },
      now: NOW,
      expectedDigest: rt.outputs['artifact-digest']!,
    });
    const p = v.statement.predicate as unknown as EvidencePredicate;
    // Every file is a source and a header input, bound by the digest of its bytes.
    const kinds = [...new Set(p.sources.map((s) => s.kind))].sort();
    expect(kinds).toEqual(['base-sbom', 'coverage', 'diff', 'eval', 'metadata', 'sbom', 'tests', 'traces', 'vex', 'vulnerabilities']);
    expect(p.absent.sort()).toEqual(['github', 'provenance']);
    expect(p.header.inputs).toHaveLength(p.sources.length);
    const sbomSource = p.sources.find((s) => s.kind === 'sbom')!;
    const { createHash } = await import('node:crypto');
    expect(sbomSource.sha256).toBe(createHash('sha256').update(await readFile(join(ws, LOCAL.sbom))).digest('hex'));
    expect(p.header.inputs).toContainEqual({ name: LOCAL.sbom, kind: 'file', mediaType: sbomSource.format, digest: { sha256: sbomSource.sha256 } });
    // Sections are the parsers' output.
    expect(p.sbom?.totals.components).toBeGreaterThan(0);
    expect(p.tests?.total).toBe(19);
    expect(p.coverage?.changedLines).not.toBeNull();
    expect(p.service?.app).toBeDefined();
    expect(p.change?.source).toBe('diff');
    expect(p.sbom?.totals).toMatchObject({ components: 80, direct: 5, transitive: 75 });
    expect(p.sbomDiff?.upgraded.map((c) => `${c.name} ${c.from ?? ''} -> ${c.to ?? ''}`)).toEqual(['ua-parser-js 1.0.39 -> 2.0.0']);
    expect(p.sbomDiff?.removed.map((c) => c.name)).toEqual(['uuid']);
    // Outputs are computed from the evidence.
    expect(rt.outputs.components).toBe(String(p.sbom?.totals.components));
    expect(rt.outputs['vulnerabilities-critical']).toBe(String(p.vulnerabilities?.totals.critical));
    expect(rt.outputs['tests-failed']).toBe(String((p.tests?.failed ?? 0) + (p.tests?.errored ?? 0)));
    expect(rt.outputs['changed-lines-coverage']).toBe(p.coverage?.changedLines?.ratio?.toFixed(4));
    expect(rt.outputs['absent-sources']).toBe('provenance,github');
    expect(rt.summary).toContain('### genops evidence');
    expect(rt.summary).toContain('| absent | provenance, github |');
  });

  it('fails closed on a malformed file, naming it and its line, and writes nothing', async () => {
    await writeFile(join(ws, 'broken.sarif'), '{\n  "version": "2.1.0",\n  "runs": [\n    { "tool": }\n  ]\n}\n');
    const rt = memoryRuntime({ ...LOCAL, vulnerabilities: 'broken.sarif', 'signing-key': kp.privateKeyPem, 'output-path': 'out/broken.json' });
    expect(await runAction(rt, 'evidence-collect', async () => { await evidenceStep(rt, deps()); })).toBe(false);
    expect(rt.failed).toMatch(/^FILE_INVALID: broken\.sarif/);
    expect(rt.annotations[0]).toMatchObject({ level: 'error', place: { file: 'broken.sarif', line: 4 } });
    expect(existsSync(join(ws, 'out/broken.json'))).toBe(false);
    expect(rt.outputs['artifact-digest']).toBeUndefined();
  });

  it.each([
    ['a pattern leaving the workspace', { sbom: '../etc/passwd' }, 'INPUT_INVALID'],
    ['an absolute path', { sbom: '/etc/passwd' }, 'INPUT_INVALID'],
    ['a missing literal path', { sbom: 'reports/nope.cdx.json' }, 'FILE_NOT_FOUND'],
    ['two files for a one-file source', { metadata: 'fixtures/evidence/metadata/*.yaml' }, 'INPUT_INVALID'],
    ['a file over max-file-bytes', { 'max-file-bytes': '100' }, 'FILE_INVALID'],
    ['provenance without trust', { provenance: 'fixtures/evidence/provenance/*.sigstore.json' }, 'INPUT_MISSING'],
    ['provenance keys that hold no PEM key', { provenance: 'fixtures/evidence/provenance/*.sigstore.json', 'provenance-public-keys': 'not a key', 'provenance-builder-ids': 'https://github.com/actions/runner/github-hosted' }, 'INPUT_INVALID'],
  ])('refuses %s', async (_name, over, code) => {
    const rt = memoryRuntime({ ...LOCAL, ...over, 'signing-key': kp.privateKeyPem, 'output-path': 'out/refused.json' });
    expect(await runAction(rt, 'evidence-collect', async () => { await evidenceStep(rt, deps()); })).toBe(false);
    expect(rt.failed).toMatch(new RegExp(`^${code}: `));
    expect(existsSync(join(ws, 'out/refused.json'))).toBe(false);
  });

  it('refuses a symlink that resolves outside the workspace', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'genops-outside-'));
    await writeFile(join(outside, 'secret.json'), '{}');
    await symlink(join(outside, 'secret.json'), join(ws, 'linked.cdx.json'));
    const rt = memoryRuntime({ sbom: '*.cdx.json', 'fetch-change': 'false', 'signing-key': kp.privateKeyPem });
    expect(await runAction(rt, 'evidence-collect', async () => { await evidenceStep(rt, deps()); })).toBe(false);
    expect(rt.failed).toMatch(/^INPUT_INVALID: sbom: "linked\.cdx\.json" resolves outside the workspace/);
    await rm(outside, { recursive: true, force: true });
    await rm(join(ws, 'linked.cdx.json'));
  });

  it('records a glob that matches nothing as absent', async () => {
    const rt = memoryRuntime({ sbom: 'reports/**/*.cdx.json', 'fetch-change': 'false', 'signing-key': kp.privateKeyPem, 'output-path': 'out/empty.json' });
    expect(await runAction(rt, 'evidence-collect', async () => { await evidenceStep(rt, deps()); })).toBe(true);
    expect(rt.outputs.components).toBe('0');
    expect(rt.outputs['absent-sources']?.split(',')).toContain('sbom');
  });

  it('reads the pull request and the deployments from the GitHub API, and records them as sources', async () => {
    const gh = await startFakeGitHub({ seed: { repos: { [FIXTURE_PULL.fullName]: fixtureRepoSeed() } } });
    try {
      const rt = memoryRuntime({ coverage: LOCAL.coverage, 'github-token': 'ghs_fake', environment: 'production', 'signing-key': kp.privateKeyPem, 'output-path': 'out/pr.json' });
      const github = (token: string) => createGitHubClient({ token, baseUrl: gh.url, logger: memoryLogger(), retryAfterBaseValue: 1, throttle: { spaceRequests: false } });
      const ev = await evidenceStep(rt, deps({ context: fixturePullRunContext(gh), github }));
      expect(gh.rejected).toEqual([]);
      expect(ev.change).toMatchObject({ source: 'github', totals: { files: 9, additions: 296, deletions: 12 }, approvals: { human: 3, bot: 1, codeOwner: 3, changesRequested: 1 } });
      expect(ev.change?.ai.share).toBeCloseTo(205 / 308, 6);
      expect(ev.deployments?.counts).toMatchObject({ success: 2, failure: 1 });
      expect(ev.sources.filter((s) => s.kind === 'github').map((s) => s.path)).toEqual(['github:deployments/production', 'github:pulls/128']);
      // The API's patches stand in for a diff file: changed lines are known without one.
      expect(ev.coverage?.changedLines).not.toBeNull();
      expect(ev.absent).not.toContain('github');
      expect(rt.outputs['artifact-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    } finally {
      await gh.close();
    }
  });
});

