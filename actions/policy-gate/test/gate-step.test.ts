/**
 * The policy-gate step in-process against the OpenAPI-validated fake GitHub: verify evidence and
 * risk (fail closed), evaluate the default packs, sign the decision, publish the check run, the
 * sticky comment and the SARIF file, fail on deny; a later passing run updates the old failure
 * comment; a fork PR writes nothing; break-glass from a listed approver (not the author) allows and
 * opens a follow-up issue, from the author it is refused.
 */
import { afterEach, beforeAll, afterAll, describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { FIXTURE_PULL, fixturePullRunContext, fixturePullSeed, fixtureRepoSeed, startFakeGitHub, testKey, type FakeGitHub } from '@genops/testkit';
import {
  buildEvidenceStatement,
  buildRiskStatement,
  createGitHubClient,
  DEFAULT_RISK_CONFIG,
  fixedClock,
  GATE_STEP_INPUTS,
  GATE_STEP_OUTPUTS,
  gateStep,
  memoryLogger,
  memoryRuntime,
  nodeFileSystem,
  PR_GATE_INPUTS,
  PR_GATE_OUTPUTS,
  prGateStep,
  PredicateTypes,
  runAction,
  runIdentityOf,
  scoreRisk,
  sha256Hex,
  signStatement,
  verifyArtifactBytes,
  writeArtifact,
  type DecisionPredicate,
  type Evidence,
  type GateDeps,
  type RunContext,
} from '@genops/core';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..', '..');
const changes = join(root, 'fixtures', 'risk', 'changes');
// Friday 17:30 in Berlin (the friday-migration fixture's moment), and a quiet Wednesday morning.
const FRIDAY = new Date('2026-03-13T16:30:00Z');
const WEDNESDAY = new Date('2026-03-11T09:00:00Z');
const kp = testKey();
const other = testKey();
const [OWNER, REPO] = FIXTURE_PULL.fullName.split('/') as [string, string];
const HEAD = FIXTURE_PULL.head;

let ws: string;
let gh: FakeGitHub;

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'genops-gate-'));
});
afterAll(() => rm(ws, { recursive: true, force: true }));
afterEach(async () => {
  if (gh !== undefined) {
    expect(gh.rejected).toEqual([]);
    expect(gh.problems).toEqual([]);
    await gh.close();
  }
});

async function startGitHub(pull: Record<string, unknown> = {}): Promise<void> {
  gh = await startFakeGitHub({ seed: { repos: { [FIXTURE_PULL.fullName]: fixtureRepoSeed({ pulls: [{ ...fixturePullSeed(), ...pull }] }) } } });
}

/** Evidence and risk for a fixture change, signed as the upstream jobs would, at `now`. */
async function upstream(ctx: RunContext, name: string, now: Date, signer = kp.signer, edit: (e: Evidence) => Evidence = (e) => e) {
  const body = edit(JSON.parse(await readFile(join(changes, `${name}.evidence.json`), 'utf8')) as Evidence);
  const subject = { repository: ctx.repository.fullName, gitCommit: HEAD };
  const header = { toolVersion: '0.1.0', run: runIdentityOf(ctx), now: new Date(now.getTime() - 120_000), ttlSeconds: 3600 };
  const fs = nodeFileSystem(ws);
  const ev = await writeArtifact(fs, `${name}-${now.getTime()}.evidence.json`, await signStatement(buildEvidenceStatement(subject, header, body), signer));
  const assessment = scoreRisk({ evidence: body, config: DEFAULT_RISK_CONFIG, now, incidents: [] });
  const risk = await writeArtifact(fs, `${name}-${now.getTime()}.risk.json`, await signStatement(buildRiskStatement(subject, header, { name: ev['artifact-path'], digest: ev['artifact-digest'].slice(7) }, assessment), signer));
  return { ev, risk };
}

function deps(ctx: RunContext, now: Date): GateDeps {
  return {
    context: ctx,
    fs: nodeFileSystem(ws),
    clock: fixedClock(now),
    tempDir: join(ws, 'tmp'),
    github: (token) => createGitHubClient({ token, baseUrl: gh.url, logger: memoryLogger(), retryAfterBaseValue: 1, throttle: { spaceRequests: false } }),
  };
}

async function runGate(ctx: RunContext, now: Date, a: Awaited<ReturnType<typeof upstream>>, inputs: Record<string, string> = {}) {
  const rt = memoryRuntime({
    artifacts: `${a.ev['artifact-path']}\n${a.risk['artifact-path']}`,
    'artifact-digest': `${a.ev['artifact-digest']}\n${a.risk['artifact-digest']}`,
    'public-keys': kp.publicKeyPem,
    'signing-key': kp.privateKeyPem,
    'github-token': 'ghs_fake',
    'output-path': `out/decision-${String(now.getTime())}.json`,
    ...inputs,
  });
  const ok = await runAction(rt, 'policy-gate', async () => {
    await gateStep(rt, deps(ctx, now));
  });
  return { rt, ok };
}

function decisionAt(path: string, now: Date): DecisionPredicate {
  const v = verifyArtifactBytes(readFileSync(join(ws, path)), path, { trust: { mode: 'key', keys: [kp.publicKey] }, predicateType: PredicateTypes.decision, subject: { gitCommit: HEAD }, now });
  return v.statement.predicate as unknown as DecisionPredicate;
}

const repo = () => gh.state.findRepo(OWNER, REPO)!;

describe('policy-gate action', () => {
  it('declares exactly the inputs and outputs the step reads and writes (and the root all-in-one action)', async () => {
    const yml = load(await readFile(join(here, '..', 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown>; runs: unknown };
    expect(Object.keys(yml.inputs).sort()).toEqual([...GATE_STEP_INPUTS].sort());
    expect(Object.keys(yml.outputs).sort()).toEqual([...GATE_STEP_OUTPUTS].sort());
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    const top = load(await readFile(join(root, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown>; runs: unknown };
    expect(Object.keys(top.inputs).sort()).toEqual([...PR_GATE_INPUTS].sort());
    expect(Object.keys(top.outputs).sort()).toEqual([...PR_GATE_OUTPUTS].sort());
    expect(top.runs).toEqual({ using: 'node24', main: 'actions/pr-gate/dist/index.js' });
  });

  it('denies a Friday-evening migration: signed decision, failing check run, sticky comment, SARIF, exit non-zero; a later pass updates the comment', async () => {
    await startGitHub();
    const ctx = fixturePullRunContext(gh);
    const a = await upstream(ctx, 'friday-migration', FRIDAY);
    const { rt, ok } = await runGate(ctx, FRIDAY, a, { policies: 'default:genops-baseline' });
    expect(ok).toBe(false);
    expect(rt.failed).toMatch(/^POLICY_DENIED: policy-gate pr: deny \(.*genops-baseline\/no-late-friday-or-weekend-deploys/);
    expect(rt.outputs.decision).toBe('deny');
    expect(rt.outputs.violations).toContain('genops-baseline/no-late-friday-or-weekend-deploys');
    const d = decisionAt(rt.outputs['artifact-path']!, FRIDAY);
    expect(d.decision).toBe('deny');
    expect(d.change).toMatchObject({ repository: FIXTURE_PULL.fullName, sha: HEAD, pullRequest: 128, author: 'kaiya-dev' });
    expect(d.header.inputs.map((i) => i.digest.sha256)).toEqual([a.ev['artifact-digest'].slice(7), a.risk['artifact-digest'].slice(7)]);

    const runs = repo().checkRuns;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ name: 'genops / pr', headSha: HEAD, conclusion: 'failure' });
    const comments = repo().commentsOn(128);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.startsWith('<!-- genops:gate:pr -->')).toBe(true);
    expect(comments[0]!.body).toContain('no-late-friday-or-weekend-deploys');
    expect(rt.outputs['comment-url']).toContain('#issuecomment-');
    const sarif = JSON.parse(await readFile(join(ws, rt.outputs['sarif-path']!), 'utf8')) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results.map((r) => r.ruleId)).toContain('genops-baseline/no-late-friday-or-weekend-deploys');
    expect(rt.summary).toContain('no-late-friday-or-weekend-deploys');

    // The same PR, fixed and re-run on Wednesday morning: the failure comment is updated, not duplicated.
    const b = await upstream(ctx, 'docs-only', WEDNESDAY);
    const pass = await runGate(ctx, WEDNESDAY, b, { policies: 'default:genops-baseline' });
    expect(pass.rt.failed).toBeUndefined();
    expect(pass.rt.outputs.decision).toBe('allow');
    expect(repo().commentsOn(128)).toHaveLength(1);
    expect(repo().commentsOn(128)[0]!.body).not.toContain('no-late-friday-or-weekend-deploys: ');
    expect(repo().checkRuns.at(-1)).toMatchObject({ conclusion: 'success' });
  });

  it('with a GitHub App token, comment-author names the App bot: its sticky comment is found and updated, not duplicated', async () => {
    gh = await startFakeGitHub({ user: { login: 'genops-gate[bot]', type: 'Bot' }, seed: { repos: { [FIXTURE_PULL.fullName]: fixtureRepoSeed({ pulls: [fixturePullSeed()] }) } } });
    const ctx = fixturePullRunContext(gh);
    const a = await upstream(ctx, 'friday-migration', FRIDAY);
    const first = await runGate(ctx, FRIDAY, a, { policies: 'default:genops-baseline', 'comment-author': 'genops-gate[bot]' });
    expect(first.rt.outputs.decision).toBe('deny');
    const b = await upstream(ctx, 'docs-only', WEDNESDAY);
    await runGate(ctx, WEDNESDAY, b, { policies: 'default:genops-baseline', 'comment-author': 'genops-gate[bot]' });
    const comments = repo().commentsOn(128).filter((c) => c.body.startsWith('<!-- genops:gate:pr -->'));
    expect(comments).toHaveLength(1);
    expect(comments[0]!.user.login).toBe('genops-gate[bot]');
    expect(comments[0]!.body).not.toContain('no-late-friday-or-weekend-deploys: ');
  });

  it('offers the fix of missing service metadata as a line edit: in the sticky comment, and once as an applicable review suggestion when the PR added that line', async () => {
    const manifest = "app: shop\nowner: '@acme/shop'\nenvironment: production\n";
    await writeFile(join(ws, 'genops.yaml'), manifest);
    const patch = "@@ -0,0 +1,3 @@\n+app: shop\n+owner: '@acme/shop'\n+environment: production";
    await startGitHub({ files: [{ filename: 'genops.yaml', status: 'added', additions: 3, deletions: 0, patch }] });
    const ctx = fixturePullRunContext(gh);
    const withManifest = (sha256: string) => (e: Evidence): Evidence => ({
      ...e,
      service: { source: 'genops', app: 'shop', owner: '@acme/shop', environment: 'production', slos: [], dependents: [], freezeWindows: [] },
      sources: [...e.sources.filter((s) => s.kind !== 'metadata'), { kind: 'metadata', path: 'genops.yaml', sha256, size: manifest.length, format: 'genops-yaml', parser: { name: 'genops', version: '0.1.0' }, warnings: [] }],
    });
    const a = await upstream(ctx, 'docs-only', WEDNESDAY, kp.signer, withManifest(sha256Hex(manifest)));
    const first = await runGate(ctx, WEDNESDAY, a, { policies: 'default:metadata' });
    expect(first.rt.outputs.decision).toBe('deny');
    const sticky = repo().commentsOn(128)[0]!.body;
    expect(sticky).toContain('```suggestion');
    expect(sticky).toContain('costCenter: ""');
    expect(repo().reviewComments).toHaveLength(1);
    expect(repo().reviewComments[0]).toMatchObject({ path: 'genops.yaml', line: 3, side: 'RIGHT', commitId: HEAD });
    expect(repo().reviewComments[0]!.body).toMatch(/^<!-- genops:suggestion:pr:[0-9a-f]{16} -->/);
    expect(repo().reviewComments[0]!.body).toContain('```suggestion\nenvironment: production\ncostCenter: ""  # TODO: fill in\n```');
    // A re-run with the same edit posts nothing new.
    await runGate(ctx, WEDNESDAY, a, { policies: 'default:metadata' });
    expect(repo().reviewComments).toHaveLength(1);
    // The workspace file no longer has the bytes the evidence read: no suggestion at all.
    await writeFile(join(ws, 'genops.yaml'), `${manifest}# edited\n`);
    await runGate(ctx, WEDNESDAY, a, { policies: 'default:metadata' });
    expect(repo().commentsOn(128)[0]!.body).not.toContain('```suggestion');
    await rm(join(ws, 'genops.yaml'));
  });

  it('keeps a line edit outside the diff in the sticky comment only (GitHub takes review comments on diff lines only)', async () => {
    const manifest = 'app: shop\nowner: team\nenvironment: production\n';
    await writeFile(join(ws, 'genops.yaml'), manifest);
    await startGitHub();
    const ctx = fixturePullRunContext(gh);
    const a = await upstream(ctx, 'docs-only', WEDNESDAY, kp.signer, (e) => ({
      ...e,
      service: { source: 'genops', app: 'shop', owner: 'team', environment: 'production', slos: [], dependents: [], freezeWindows: [] },
      sources: [...e.sources.filter((s) => s.kind !== 'metadata'), { kind: 'metadata', path: 'genops.yaml', sha256: sha256Hex(manifest), size: manifest.length, format: 'genops-yaml', parser: { name: 'genops', version: '0.1.0' }, warnings: [] }],
    }));
    const { rt } = await runGate(ctx, WEDNESDAY, a, { policies: 'default:metadata' });
    expect(rt.outputs.decision).toBe('deny');
    expect(repo().commentsOn(128)[0]!.body).toContain('```suggestion');
    expect(repo().reviewComments).toHaveLength(0);
    expect(rt.logger.messages('info').join('\n')).toMatch(/0 suggested edit\(s\) posted as review comments, 0 already posted, 1 outside the diff/);
    await rm(join(ws, 'genops.yaml'));
  });

  it('reads policies and exceptions from an organisation policy repo at one commit (github:OWNER/REPO/PATH@REF), with its own token', async () => {
    const orgSet = 'apiVersion: genops.dev/v1\nkind: PolicySet\nmetadata: { name: org-rules }\nspec:\n  rules:\n    - id: change-has-author\n      title: Changes have an author\n      expression: evidence.change == null || evidence.change.author == "never"\n      message: org rule hit\n      decision: warn\n';
    const exception = [
      'apiVersion: genops.dev/v1',
      'kind: PolicyException',
      'metadata: { name: friday-hotfix-ops-7 }',
      'spec:',
      '  rules: [no-late-friday-or-weekend-deploys]',
      `  match: { repository: ${FIXTURE_PULL.fullName} }`,
      '  reason: Hotfix for INC-7 must ship tonight',
      '  ticket: OPS-7',
      '  approvedBy: sre-lead',
      '  createdAt: "2026-03-13T12:00:00Z"',
      '  expiresAt: "2026-03-14T12:00:00Z"',
      '',
    ].join('\n');
    const orgTest = 'apiVersion: genops.dev/v1\nkind: PolicyTest\nmetadata: { name: t }\nspec:\n  policies: [rules.yaml]\n  cases: []\n';
    gh = await startFakeGitHub({
      seed: {
        repos: {
          [FIXTURE_PULL.fullName]: fixtureRepoSeed({ pulls: [fixturePullSeed()] }),
          'acme/policies': { branches: { main: { 'gates/rules.yaml': orgSet, 'gates/exceptions/friday.yml': exception, 'gates/cases.yaml': orgTest, 'gates/README.md': '# x', 'other/ignored.yaml': orgSet.replace('org-rules', 'other') } } },
        },
      },
    });
    const ctx = fixturePullRunContext(gh);
    const a = await upstream(ctx, 'friday-migration', FRIDAY);
    const { rt } = await runGate(ctx, FRIDAY, a, { policies: 'default:genops-baseline\ngithub:acme/policies/gates@main', 'policies-token': 'ghs_policies' });
    const d = decisionAt(rt.outputs['artifact-path']!, FRIDAY);
    expect(d.exceptions.applied.map((e) => e.name)).toEqual(['friday-hotfix-ops-7']);
    expect(d.results.filter((r) => r.set === 'org-rules').map((r) => `${r.rule}:${r.outcome}`)).toEqual(['change-has-author:violated']);
    expect(d.results.some((r) => r.set === 'other')).toBe(false);
    expect(d.results.find((r) => r.rule === 'no-late-friday-or-weekend-deploys')?.outcome).toBe('excepted');
    // Every read of the policy repo used its token, at the commit `main` resolved to.
    const reads = ['repos/get-commit', 'git/get-tree', 'git/get-blob'].flatMap((op) => gh.calls(op)).filter((c) => c.path.includes('/acme/policies/'));
    // rules.yaml, exceptions/friday.yml and cases.yaml (a PolicyTest by content, read and left out); not other/ nor README.md.
    expect(reads.map((c) => c.operationId)).toEqual(['repos/get-commit', 'git/get-tree', 'git/get-blob', 'git/get-blob', 'git/get-blob']);
    expect(reads.every((c) => /ghs_policies$/.test(c.headers['authorization'] ?? ''))).toBe(true);

    // A ref that does not exist stops the gate with an error naming the input: it never runs without the policies it was given.
    const missing = await runGate(ctx, FRIDAY, a, { policies: 'github:acme/policies/gates@no-such-branch', 'policies-token': 'ghs_policies' });
    expect(missing.ok).toBe(false);
    expect(missing.rt.failed).toMatch(/acme\/policies/);
    const empty = await runGate(ctx, FRIDAY, a, { policies: 'github:acme/policies/nothing-here@main', 'policies-token': 'ghs_policies' });
    expect(empty.rt.failed).toMatch(/FILE_NOT_FOUND: policies: no \*\.yml or \*\.yaml file under acme\/policies\/nothing-here@main/);
  });

  it('routes require-approval to the protected environment without failing when asked', async () => {
    await startGitHub();
    const ctx = fixturePullRunContext(gh);
    const a = await upstream(ctx, 'friday-migration', WEDNESDAY);
    const { rt } = await runGate(ctx, WEDNESDAY, a, { policies: 'default:genops-baseline', 'fail-on-require-approval': 'false', 'approval-environment': 'prod-approvers' });
    expect(rt.failed).toBeUndefined();
    expect(rt.outputs.decision).toBe('require-approval');
    expect(rt.outputs['required-environment']).toBe('prod-approvers');
  });

  it('on a fork PR (read-only token) writes nothing to GitHub, with one notice, and still decides', async () => {
    await startGitHub();
    const ctx = { ...fixturePullRunContext(gh), isReadOnlyToken: true };
    const a = await upstream(ctx, 'friday-migration', FRIDAY);
    const { rt } = await runGate(ctx, FRIDAY, a, { policies: 'default:genops-baseline' });
    expect(rt.outputs.decision).toBe('deny');
    expect(repo().checkRuns).toHaveLength(0);
    expect(repo().commentsOn(128)).toHaveLength(0);
    expect(rt.annotations.filter((n) => n.level === 'notice' && /fork/.test(n.message))).toHaveLength(1);
  });

  it('break-glass by a listed approver who is not the author allows, is recorded, and opens a follow-up issue', async () => {
    await startGitHub({
      labels: ['genops:break-glass'],
      body: 'Hotfix for the refund outage.\n\nBreak-glass reason: refunds are failing for every customer (INC-77)',
      labelEvents: [{ label: 'genops:break-glass', actor: 'sre-lead', createdAt: '2026-03-13T16:20:00Z' }],
    });
    const ctx = fixturePullRunContext(gh);
    const labelled = { ...ctx, pullRequest: { ...ctx.pullRequest!, labels: ['genops:break-glass'] } };
    const a = await upstream(labelled, 'friday-migration', FRIDAY);
    const { rt } = await runGate(labelled, FRIDAY, a, { policies: 'default:genops-baseline', 'break-glass-approvers': 'sre-lead, other' });
    expect(rt.failed).toBeUndefined();
    expect(rt.outputs.decision).toBe('allow');
    expect(rt.outputs['break-glass']).toBe('true');
    const d = decisionAt(rt.outputs['artifact-path']!, FRIDAY);
    expect(d.breakGlass).toMatchObject({ by: 'sre-lead', source: 'label', overridden: 'deny', reason: 'refunds are failing for every customer (INC-77)', expiresAt: '2026-03-13T20:20:00.000Z' });
    expect(d.breakGlass?.followUp?.number).toBeGreaterThan(0);
    const issues = [...repo().issues.values()];
    expect(issues).toHaveLength(1);
    expect(issues[0]!.title).toContain('break-glass');
    expect(repo().commentsOn(128)).toHaveLength(1); // break-glass is always shown on the PR
  });

  it('refuses break-glass by the author (and by anyone not listed): the decision stays deny', async () => {
    await startGitHub({
      labels: ['genops:break-glass'],
      body: 'Break-glass reason: I am sure',
      labelEvents: [{ label: 'genops:break-glass', actor: 'kaiya-dev', createdAt: '2026-03-13T16:20:00Z' }],
    });
    const ctx = fixturePullRunContext(gh);
    const labelled = { ...ctx, pullRequest: { ...ctx.pullRequest!, labels: ['genops:break-glass'] } };
    const a = await upstream(labelled, 'friday-migration', FRIDAY);
    const { rt } = await runGate(labelled, FRIDAY, a, { policies: 'default:genops-baseline', 'break-glass-approvers': 'kaiya-dev' });
    expect(rt.outputs.decision).toBe('deny');
    expect(rt.failed).toMatch(/^POLICY_DENIED/);
    expect(rt.summary).toContain('Break-glass was requested but refused');
    expect(repo().issues.size).toBe(0);
  });

  it.each([
    ['risk signed by an untrusted key', 'KEY_UNTRUSTED'],
    ['a digest that was not handed over', 'DIGEST_MISMATCH'],
    ['a risk artifact without its digest', 'DIGEST_MISMATCH'],
  ])('fails closed on %s: nothing signed, nothing published', async (name, code) => {
    await startGitHub();
    const ctx = fixturePullRunContext(gh);
    const a = await upstream(ctx, 'friday-migration', FRIDAY, name.includes('untrusted') ? other.signer : kp.signer);
    const inputs: Record<string, string> = { policies: 'default:genops-baseline', 'output-path': 'out/refused.json' };
    if (name.includes('digest that')) inputs['artifact-digest'] = `${a.ev['artifact-digest']}\nsha256:${'1'.repeat(64)}`;
    if (name.includes('without its digest')) inputs['artifact-digest'] = a.ev['artifact-digest'];
    const { rt, ok } = await runGate(ctx, FRIDAY, a, inputs);
    expect(ok).toBe(false);
    expect(rt.failed).toMatch(new RegExp(`^${code}: `));
    expect(existsSync(join(ws, 'out/refused.json'))).toBe(false);
    expect(rt.outputs.decision).toBeUndefined();
    expect(repo().checkRuns).toHaveLength(0);
  });

  it('the all-in-one root action collects, scores and decides in one step, each stage verifying the one before', async () => {
    await startGitHub();
    const ctx = fixturePullRunContext(gh);
    await cp(join(root, 'fixtures', 'evidence'), join(ws, 'evidence'), { recursive: true });
    const rt = memoryRuntime({
      sbom: 'evidence/sbom/orders-api.head.cdx.json',
      vulnerabilities: 'evidence/vulns/grype.json',
      metadata: 'evidence/metadata/genops.yaml',
      'github-token': 'ghs_fake',
      policies: 'default:genops-baseline\ndefault:supply-chain',
      'signing-key': kp.privateKeyPem,
      'output-dir': 'all-in-one',
    });
    const ok = await runAction(rt, 'pr-gate', async () => {
      await prGateStep(rt, { ...deps(ctx, WEDNESDAY), workspaceRoot: ws });
    });
    expect(ok).toBe(false);
    expect(rt.failed).toMatch(/^POLICY_DENIED: /);
    expect(rt.outputs).toMatchObject({ 'evidence-path': 'all-in-one/evidence.intoto.json', 'risk-path': 'all-in-one/risk.intoto.json', 'artifact-path': 'all-in-one/decision.intoto.json', decision: 'deny' });
    expect(rt.outputs.tier).toMatch(/^(low|medium|high|critical)$/);
    const d = decisionAt('all-in-one/decision.intoto.json', WEDNESDAY);
    expect(d.header.inputs.map((i) => `sha256:${i.digest.sha256}`)).toEqual([rt.outputs['evidence-digest'], rt.outputs['risk-digest']]);
    expect(d.results.some((r) => r.rule === 'provenance-verified' && r.outcome === 'violated')).toBe(true);
    expect(repo().checkRuns).toHaveLength(1);
    expect(rt.summary).toContain('genops risk');
  });
});
