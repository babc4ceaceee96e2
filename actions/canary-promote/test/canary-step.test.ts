/**
 * The canary-promote step in-process: signed evidence, risk and decision written as the upstream
 * jobs would, a fixture scenario's history replayed through the file provider on the engine's
 * simulated clock, and a real bash hook script that records every weight it is given. Healthy
 * promotes (weights in order, a signed canary artifact that chains to the decision), a regression
 * rolls back (the rollback hook ran, exit non-zero), deny / unapproved require-approval / tampered
 * decisions are blocked before any hook runs, a saved state resumes at its stage, the stages input
 * overrides the plan, and cancellation rolls back. Approvals come from the OpenAPI-validated fake GitHub.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import {
  FIXTURE_PULL,
  fixturePullRunContext,
  fixturePullSeed,
  fixtureRepoSeed,
  generateCanaryHistory,
  loadCanaryScenario,
  makeDecision,
  startFakeGitHub,
  testKey,
  toWindowRows,
  type CanaryScenario,
  type FakeGitHub,
} from '@genops/testkit';
import {
  abortOnTermination,
  buildDecisionStatement,
  buildEvidenceStatement,
  buildRiskStatement,
  CANARY_STEP_INPUTS,
  CANARY_STEP_OUTPUTS,
  canaryStep,
  createGitHubClient,
  DEFAULT_RISK_CONFIG,
  fixedClock,
  memoryLogger,
  memoryRuntime,
  nodeFileSystem,
  PredicateTypes,
  runAction,
  runIdentityOf,
  scoreRisk,
  signStatement,
  simulatedClock,
  verifyArtifactBytes,
  verifyChain,
  webhookSignature,
  writeArtifact,
  type CanaryClock,
  type CanaryDeps,
  type CanaryPredicate,
  type Decision,
  type Evidence,
  type RunContext,
  type VerifiedArtifact,
} from '@genops/core';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..', '..');
const kp = testKey();
const HEAD = FIXTURE_PULL.head;
const DAY = 24 * 3600_000;

let gh: FakeGitHub | undefined;
const dirs: string[] = [];
const scenarios = new Map<string, CanaryScenario>();
const rowsOf = new Map<string, string>();

beforeAll(() => {
  for (const name of ['healthy', 'errors-3x']) {
    const s = loadCanaryScenario(name);
    scenarios.set(name, s);
    rowsOf.set(name, JSON.stringify({ windows: toWindowRows(generateCanaryHistory(s)) }));
  }
});
afterEach(async () => {
  if (gh !== undefined) {
    expect(gh.rejected).toEqual([]);
    expect(gh.problems).toEqual([]);
    await gh.close();
    gh = undefined;
  }
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const HOOK = `#!/usr/bin/env bash
# Records what canary-promote asks for: "<action> <weight> <reason>", one line per call.
set -euo pipefail
echo "$1 $GENOPS_CANARY_WEIGHT \${GENOPS_CANARY_ROLLBACK_REASON:-}" >> hook.log
`;

/**
 * A workspace with the scenario's windows, settings matched to the scenario's shape (dwell = an
 * early stage's length, deadline = the last stage's, as the fixture README asks), and the hook.
 */
async function workspace(scenario: string): Promise<string> {
  const ws = await mkdtemp(join(tmpdir(), 'genops-canary-'));
  dirs.push(ws);
  const s = scenarios.get(scenario)!;
  await writeFile(join(ws, 'metrics.json'), rowsOf.get(scenario)!);
  const early = s.stages.slice(0, -1);
  const dwell = Math.min(...early.map((st) => st.windows)) * s.windowSeconds;
  const deadline = s.stages.at(-1)!.windows * s.windowSeconds;
  await writeFile(join(ws, 'canary.yaml'), `window: ${String(s.windowSeconds)}s\ndwell: ${String(dwell)}s\nstageDeadline: ${String(deadline)}s\nlastStageDeadline: ${String(deadline)}s\n`);
  await writeFile(join(ws, 'hook.sh'), HOOK, { mode: 0o755 });
  return ws;
}

async function hookLog(ws: string): Promise<string[][]> {
  if (!existsSync(join(ws, 'hook.log'))) return [];
  return (await readFile(join(ws, 'hook.log'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => l.split(' '));
}
const setWeights = (log: string[][]) => log.filter((l) => l[0] === 'set').map((l) => Number(l[1]));

interface Upstream {
  paths: string[];
  digests: string[];
  artifacts: { ev: string; risk: string; decision: string };
}

/**
 * Evidence, risk and decision for the docs-only fixture change (risk tier low: plan 1,5,25,50,100),
 * signed ten minutes before the rollout starts. `decision` sets the gate's verdict.
 */
async function upstream(ws: string, ctx: RunContext, start: Date, decision: Decision, requiredEnvironment?: string): Promise<Upstream> {
  const evidence = JSON.parse(await readFile(join(root, 'fixtures', 'risk', 'changes', 'docs-only.evidence.json'), 'utf8')) as Evidence;
  const subject = { repository: ctx.repository.fullName, gitCommit: HEAD };
  const now = new Date(start.getTime() - 600_000);
  const header = { toolVersion: '0.1.0', run: runIdentityOf(ctx), now, ttlSeconds: 7 * 24 * 3600 };
  const fs = nodeFileSystem(ws);
  const ev = await writeArtifact(fs, 'up/evidence.json', await signStatement(buildEvidenceStatement(subject, header, evidence), kp.signer));
  const assessment = scoreRisk({ evidence, config: DEFAULT_RISK_CONFIG, now, incidents: [] });
  const risk = await writeArtifact(fs, 'up/risk.json', await signStatement(buildRiskStatement(subject, header, { name: ev['artifact-path'], digest: ev['artifact-digest'].slice(7) }, assessment), kp.signer));
  const { header: _h, ...body } = makeDecision({
    decision,
    results: [],
    key: 'deploy-production',
    environment: 'production',
    change: { repository: ctx.repository.fullName, sha: HEAD, author: 'kaiya-dev', evaluatedAt: now.toISOString() },
    risk: { score: assessment.score, tier: assessment.tier, recourse: assessment.recourse, canaryPlan: assessment.canaryPlan },
    ...(requiredEnvironment === undefined ? {} : { requiredEnvironment }),
  });
  const statement = buildDecisionStatement(subject, header, { evidence: { name: ev['artifact-path'], digest: ev['artifact-digest'].slice(7) }, risk: { name: risk['artifact-path'], digest: risk['artifact-digest'].slice(7) } }, body);
  const dec = await writeArtifact(fs, 'up/decision.json', await signStatement(statement, kp.signer));
  return {
    paths: [dec['artifact-path'], risk['artifact-path']],
    digests: [dec['artifact-digest'], risk['artifact-digest']],
    artifacts: { ev: ev['artifact-path'], risk: risk['artifact-path'], decision: dec['artifact-path'] },
  };
}

interface StepRun {
  ok: boolean;
  rt: ReturnType<typeof memoryRuntime>;
}

async function runStep(ws: string, ctx: RunContext, scenario: CanaryScenario, up: Upstream, inputs: Record<string, string> = {}, extra: Partial<CanaryDeps> = {}): Promise<StepRun> {
  const rt = memoryRuntime(
    {
      artifacts: up.paths.join('\n'),
      'artifact-digest': up.digests.join('\n'),
      'public-keys': kp.publicKeyPem,
      'signing-key': kp.privateKeyPem,
      'github-token': 'ghs_fake',
      'metrics-file': 'metrics.json',
      config: 'canary.yaml',
      'set-weight-command': 'bash ./hook.sh set',
      'rollback-command': 'bash ./hook.sh rollback',
      ...inputs,
    },
    { RUNNER_TEMP: join(ws, 'runner-temp') },
  );
  const deps: CanaryDeps = {
    context: ctx,
    fs: nodeFileSystem(ws),
    clock: fixedClock(scenario.start),
    tempDir: join(ws, 'tmp'),
    workspace: ws,
    canaryClock: simulatedClock(new Date(scenario.start)),
    github: (token) => createGitHubClient({ token, baseUrl: ctx.apiUrl, logger: memoryLogger(), retryAfterBaseValue: 1, throttle: { spaceRequests: false } }),
    ...extra,
  };
  const ok = await runAction(rt, 'canary-promote', async () => {
    await canaryStep(rt, deps);
  });
  return { ok, rt };
}

function verifyAt(ws: string, path: string, predicateType: string, now: Date): VerifiedArtifact {
  return verifyArtifactBytes(readFileSync(join(ws, path)), path, { trust: { mode: 'key', keys: [kp.publicKey] }, predicateType, subject: { gitCommit: HEAD }, now });
}

const offline = () => fixturePullRunContext({ url: 'http://127.0.0.1:9' });

describe('canary-promote action', () => {
  it('declares exactly the inputs and outputs the step reads and writes', async () => {
    const yml = load(await readFile(join(here, '..', 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown>; runs: unknown };
    expect(Object.keys(yml.inputs).sort()).toEqual([...CANARY_STEP_INPUTS].sort());
    expect(Object.keys(yml.outputs).sort()).toEqual([...CANARY_STEP_OUTPUTS].sort());
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('healthy: promoted through the risk plan, weights in order, a signed canary artifact that chains to the decision', async () => {
    const s = scenarios.get('healthy')!;
    const ws = await workspace('healthy');
    const ctx = offline();
    const up = await upstream(ws, ctx, new Date(s.start), 'allow');
    const { ok, rt } = await runStep(ws, ctx, s, up);
    expect(rt.failed).toBeUndefined();
    expect(ok).toBe(true);
    expect(setWeights(await hookLog(ws))).toEqual([1, 5, 25, 50, 100]);
    expect((await hookLog(ws)).filter((l) => l[0] === 'rollback')).toEqual([]);
    expect(rt.outputs).toMatchObject({ outcome: 'promoted', 'final-weight': '100', 'artifact-path': 'genops/canary.intoto.json', 'state-file': join(ws, 'runner-temp', 'genops-canary-state.json') });

    const later = new Date(Date.parse(s.start) + 2 * 3600_000);
    const canary = verifyAt(ws, rt.outputs['artifact-path']!, PredicateTypes.canary, later);
    expect(`sha256:${canary.digest}`).toBe(rt.outputs['artifact-digest']);
    const p = canary.statement.predicate as unknown as CanaryPredicate;
    expect(p).toMatchObject({ outcome: 'promoted', environment: 'production', finalWeight: 100, rule: 'promote-full', provider: 'file', traffic: 'command', resumed: false });
    expect(p.plan).toEqual({ source: 'risk', riskTier: 'low', stages: [1, 5, 25, 50, 100] });
    expect(p.stages.map((st) => st.decision?.rule)).toEqual(['promote-early-stage', 'promote-early-stage', 'promote-early-stage', 'promote-noninferiority']);
    expect(Date.parse(p.finishedAt)).toBeGreaterThan(Date.parse(p.startedAt));
    // Counts in the trace are the history's: every data window's canary requests add up to the stage's.
    for (const st of p.stages) expect(st.windows.filter((w) => w.status === 'data').reduce((a, w) => a + Math.min(w.counts!.errors!.canary.requests, w.counts!.latency!.canary.requests), 0)).toBe(st.canaryRequests);
    expect(p.totals.canaryRequests).toBe(p.stages.reduce((a, st) => a + st.canaryRequests, 0));
    expect(p.header.tool.component).toBe('canary-promote');

    // The chain: canary -> decision -> risk -> evidence, every input handed over and verified.
    const ev = verifyAt(ws, up.artifacts.ev, PredicateTypes.evidence, later);
    const risk = verifyAt(ws, up.artifacts.risk, PredicateTypes.risk, later);
    const decision = verifyAt(ws, up.artifacts.decision, PredicateTypes.decision, later);
    expect(p.header.inputs.map((i) => i.digest.sha256)).toEqual([decision.digest, risk.digest]);
    expect(p.decision.digest).toBe(decision.digest);
    const links = verifyChain([ev, risk, decision, canary], { requireInputs: true });
    expect(links.find((l) => l.artifact === canary)?.inputs).toEqual([decision, risk]);
    expect(() => verifyChain([ev, risk, canary], { requireInputs: true })).toThrow(/not among the verified artifacts/);

    expect(rt.summary).toContain('genops canary-promote: promoted');
    expect(rt.summary).toContain('| stage | weight |');
    expect(rt.summary).toContain('e(R>1)');
    expect(readFileSync(join(ws, 'genops/canary-chart.svg'), 'utf8')).toMatch(/^<svg /);
  });

  it('errors-3x: rolled back, the rollback hook ran with the reason, exit non-zero with a signed rolled-back artifact', async () => {
    const s = scenarios.get('errors-3x')!;
    const ws = await workspace('errors-3x');
    const ctx = offline();
    const up = await upstream(ws, ctx, new Date(s.start), 'allow');
    const { ok, rt } = await runStep(ws, ctx, s, up);
    expect(ok).toBe(false);
    expect(rt.failed).toMatch(/^CANARY_ROLLED_BACK: canary rolled back \(rollback-(eprocess|guard)\)/);
    const log = await hookLog(ws);
    const weights = setWeights(log);
    expect(weights).toEqual([1, 5, 25, 50, 100].slice(0, weights.length));
    expect(weights).not.toContain(100);
    const rollbacks = log.filter((l) => l[0] === 'rollback');
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]![1]).toBe('0');
    expect(rollbacks[0]!.slice(2).join(' ')).toMatch(/worse than the baseline|error rate/);
    expect(rt.outputs).toMatchObject({ outcome: 'rolled-back', 'final-weight': '0' });
    const p = verifyAt(ws, rt.outputs['artifact-path']!, PredicateTypes.canary, new Date(Date.parse(s.start) + DAY)).statement.predicate as unknown as CanaryPredicate;
    expect(p.outcome).toBe('rolled-back');
    expect(p.stages.at(-1)?.decision?.outcome).toBe('rollback');
    expect(rt.summary).toContain('rolled back');
  });

  it('deny: blocked before any hook runs, nothing signed', async () => {
    const s = scenarios.get('healthy')!;
    const ws = await workspace('healthy');
    const ctx = offline();
    const up = await upstream(ws, ctx, new Date(s.start), 'deny');
    const { ok, rt } = await runStep(ws, ctx, s, up);
    expect(ok).toBe(false);
    expect(rt.failed).toMatch(/^POLICY_DENIED: the decision .* is deny: nothing was deployed/);
    expect(await hookLog(ws)).toEqual([]);
    expect(existsSync(join(ws, 'genops/canary.intoto.json'))).toBe(false);
    expect(rt.outputs.outcome).toBeUndefined();
  });

  it('require-approval: blocked without an approved review of this run for the environment; runs with one', async () => {
    const s = scenarios.get('healthy')!;
    gh = await startFakeGitHub({
      seed: {
        repos: {
          [FIXTURE_PULL.fullName]: fixtureRepoSeed({
            pulls: [fixturePullSeed()],
            // Another run's approval, and this run's approval for another environment, do not count.
            runApprovals: [
              { runId: 1234, environments: ['production-approval'], state: 'approved', user: 'sre-lead' },
              { runId: 9001, environments: ['staging'], state: 'approved', user: 'sre-lead' },
            ],
          }),
        },
      },
    });
    const ctx = fixturePullRunContext(gh);
    const ws = await workspace('healthy');
    const up = await upstream(ws, ctx, new Date(s.start), 'require-approval', 'production-approval');
    const blocked = await runStep(ws, ctx, s, up);
    expect(blocked.ok).toBe(false);
    expect(blocked.rt.failed).toMatch(/^POLICY_DENIED: the decision is require-approval and this workflow run has no approved review for environment "production-approval"/);
    expect(await hookLog(ws)).toEqual([]);

    gh.state.findRepo('octo-org', 'payments-api')!.addRunApproval({ runId: 9001, environments: ['production-approval'], state: 'approved', user: 'release-manager', comment: 'go' });
    const approved = await runStep(ws, ctx, s, up);
    expect(approved.rt.failed).toBeUndefined();
    expect(approved.rt.outputs.outcome).toBe('promoted');
    const p = verifyAt(ws, approved.rt.outputs['artifact-path']!, PredicateTypes.canary, new Date(Date.parse(s.start) + DAY)).statement.predicate as unknown as CanaryPredicate;
    expect(p.decision).toMatchObject({ decision: 'require-approval', approval: { environment: 'production-approval', approvedBy: ['release-manager'] } });
  });

  it('a rejection of this run for the environment blocks even next to an approval', async () => {
    const s = scenarios.get('healthy')!;
    gh = await startFakeGitHub({
      seed: {
        repos: {
          [FIXTURE_PULL.fullName]: fixtureRepoSeed({
            runApprovals: [
              { runId: 9001, environments: ['production-approval'], state: 'approved', user: 'dev-a' },
              { runId: 9001, environments: ['production-approval'], state: 'rejected', user: 'sre-lead', comment: 'not during the incident' },
            ],
          }),
        },
      },
    });
    const ctx = fixturePullRunContext(gh);
    const ws = await workspace('healthy');
    const up = await upstream(ws, ctx, new Date(s.start), 'require-approval', 'production-approval');
    const { rt } = await runStep(ws, ctx, s, up);
    expect(rt.failed).toMatch(/^POLICY_DENIED/);
    expect(await hookLog(ws)).toEqual([]);
  });

  it.each([
    ['a tampered decision', 'tamper'],
    ['an unsigned decision', 'unsigned'],
    ['a decision digest that was not handed over', 'digest'],
    ['a decision for another environment', 'environment'],
    ['no decision at all (only the risk)', 'missing'],
  ])('fails closed on %s: no hook runs, nothing signed', async (_name, how) => {
    const s = scenarios.get('healthy')!;
    const ws = await workspace('healthy');
    const ctx = offline();
    const up = await upstream(ws, ctx, new Date(s.start), 'allow');
    const inputs: Record<string, string> = {};
    if (how === 'tamper') {
      // Change the gate key inside the signed payload: the signature and digest no longer match.
      const path = join(ws, up.artifacts.decision);
      const bundle = JSON.parse(await readFile(path, 'utf8')) as { dsseEnvelope: { payload: string } };
      const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8').replace('"deploy-production"', '"deploy-prod"');
      bundle.dsseEnvelope.payload = Buffer.from(payload).toString('base64');
      await writeFile(path, JSON.stringify(bundle));
    }
    if (how === 'unsigned') {
      const path = join(ws, up.artifacts.decision);
      const bundle = JSON.parse(await readFile(path, 'utf8')) as { dsseEnvelope: { signatures: unknown[] } };
      bundle.dsseEnvelope.signatures = [];
      await writeFile(path, JSON.stringify(bundle));
    }
    if (how === 'digest') inputs['artifact-digest'] = `sha256:${'1'.repeat(64)}\n${up.digests[1]!}`;
    if (how === 'environment') inputs.environment = 'staging';
    if (how === 'missing') {
      inputs.artifacts = up.paths[1]!;
      inputs['artifact-digest'] = up.digests[1]!;
    }
    const { ok, rt } = await runStep(ws, ctx, s, up, inputs);
    expect(ok).toBe(false);
    const code = { tamper: /^SIGNATURE_INVALID: /, unsigned: /^UNSIGNED: /, digest: /^DIGEST_MISMATCH: /, environment: /^SUBJECT_MISMATCH: .*environment "production"/, missing: /^INPUT_INVALID: expected exactly one decision artifact/ }[how]!;
    expect(rt.failed).toMatch(code);
    expect(await hookLog(ws)).toEqual([]);
    expect(existsSync(join(ws, 'genops/canary.intoto.json'))).toBe(false);
  });

  it('resumes from the saved state: a paused rollout continues at its stage and never sets 1 % again', async () => {
    const s = scenarios.get('healthy')!;
    const ws = await workspace('healthy');
    const ctx = offline();
    const up = await upstream(ws, ctx, new Date(s.start), 'allow');
    // 41 min: past the three 6-minute early stages, inside the 50 % stage: the run pauses there.
    const first = await runStep(ws, ctx, s, up, { 'max-duration': '41m', 'state-file': 'state/canary.json' });
    expect(first.ok).toBe(false);
    expect(first.rt.failed).toMatch(/^CANARY_INCONCLUSIVE: canary inconclusive at 50 % \(inconclusive-max-duration\).*A human must decide/);
    expect(first.rt.failed).toContain(join(ws, 'state/canary.json'));
    expect(first.rt.outputs).toMatchObject({ outcome: 'inconclusive', 'final-weight': '50', 'state-file': join(ws, 'state/canary.json') });
    expect(setWeights(await hookLog(ws))).toEqual([1, 5, 25, 50]);
    const saved = JSON.parse(await readFile(join(ws, 'state/canary.json'), 'utf8')) as { state: { stageIndex: number; status: string; run: { endedAt: string } } };
    expect(saved.state).toMatchObject({ stageIndex: 3, status: 'paused' });

    await rm(join(ws, 'hook.log'));
    // The re-run: same state file, the clock where the first run stopped, the default max duration.
    const second = await runStep(ws, ctx, s, up, { 'state-file': 'state/canary.json' }, { canaryClock: simulatedClock(new Date(saved.state.run.endedAt)) });
    const weights = setWeights(await hookLog(ws));
    expect(weights[0]).toBe(50);
    expect(weights).not.toContain(1);
    expect(second.rt.outputs.outcome).toBe('promoted');
    expect(weights).toEqual([50, 100]);
    const p = verifyAt(ws, second.rt.outputs['artifact-path']!, PredicateTypes.canary, new Date(Date.parse(s.start) + DAY)).statement.predicate as unknown as CanaryPredicate;
    expect(p.resumed).toBe(true);
    expect(p.stages.map((st) => [st.weight, st.resumed])).toEqual([
      [1, false],
      [5, false],
      [25, false],
      [50, false],
      [50, true],
    ]);
    expect(p.startedAt).toBe(s.start.replace('Z', '.000Z'));
  });

  it('refuses a saved state that belongs to another decision', async () => {
    const s = scenarios.get('healthy')!;
    const ws = await workspace('healthy');
    const ctx = offline();
    const up = await upstream(ws, ctx, new Date(s.start), 'allow');
    await writeFile(join(ws, 'state.json'), JSON.stringify({ kind: 'genops-canary-state', version: 1, decisionDigest: 'f'.repeat(64), state: { version: 1, stages: [1, 5, 25, 50, 100], startedAt: s.start, stageIndex: 2, status: 'running', eprocess: {}, guards: {}, trace: [] } }));
    const { rt } = await runStep(ws, ctx, s, up, { 'state-file': 'state.json' });
    expect(rt.failed).toMatch(/^FILE_INVALID: the canary state file .* belongs to another rollout/);
    expect(await hookLog(ws)).toEqual([]);
  });

  it('the stages input overrides the plan', async () => {
    const s = scenarios.get('healthy')!;
    const ws = await workspace('healthy');
    const ctx = offline();
    const up = await upstream(ws, ctx, new Date(s.start), 'allow');
    const { rt } = await runStep(ws, ctx, s, up, { stages: '1, 5, 100' });
    const weights = setWeights(await hookLog(ws));
    expect(weights.slice(0, 2)).toEqual([1, 5]);
    expect(weights.every((w) => [1, 5, 100].includes(w))).toBe(true);
    const p = verifyAt(ws, rt.outputs['artifact-path']!, PredicateTypes.canary, new Date(Date.parse(s.start) + DAY)).statement.predicate as unknown as CanaryPredicate;
    expect(p.plan).toEqual({ source: 'stages-input', stages: [1, 5, 100] });
    expect(p.settings.stages).toEqual([1, 5, 100]);
  });

  it('cancellation (the runner\'s SIGTERM) rolls back through the rollback hook', async () => {
    const s = scenarios.get('healthy')!;
    const ws = await workspace('healthy');
    const ctx = offline();
    const up = await upstream(ws, ctx, new Date(s.start), 'allow');
    const controller = new AbortController();
    const base = simulatedClock(new Date(s.start));
    let sleeps = 0;
    // Cancelled during the 8th window (the 5 % stage), as a SIGTERM would arrive while waiting.
    const clock: CanaryClock = {
      now: () => base.now(),
      sleep: async (ms) => {
        if (++sleeps === 8) controller.abort();
        await base.sleep(ms);
      },
    };
    const { rt } = await runStep(ws, ctx, s, up, {}, { canaryClock: clock, signal: controller.signal });
    expect(rt.failed).toMatch(/^CANARY_ROLLED_BACK: canary rolled back \(rollback-cancelled\)/);
    const log = await hookLog(ws);
    expect(setWeights(log)).toEqual([1, 5]);
    expect(log.filter((l) => l[0] === 'rollback').map((l) => l.slice(1).join(' '))).toEqual(['0 the rollout was cancelled']);
  });

  it('the webhook variant: signed JSON requests in stage order, confirmation asked before 100 %', async () => {
    const s = scenarios.get('healthy')!;
    const ws = await workspace('healthy');
    const ctx = offline();
    const up = await upstream(ws, ctx, new Date(s.start), 'allow');
    const received: { body: Record<string, unknown>; signed: boolean }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({ body: JSON.parse(raw) as Record<string, unknown>, signed: req.headers['x-genops-signature-256'] === webhookSignature('s3cret', raw) });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ confirm: true }));
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/canary`;
      const { rt } = await runStep(ws, ctx, s, up, { 'set-weight-command': '', 'rollback-command': '', 'traffic-webhook-url': url, 'traffic-webhook-secret': 's3cret', 'traffic-webhook-confirm': 'true' });
      expect(rt.failed).toBeUndefined();
      expect(rt.outputs.outcome).toBe('promoted');
      expect(rt.secrets).toContain('s3cret');
    } finally {
      await new Promise((done) => server.close(done));
    }
    expect(received.every((r) => r.signed)).toBe(true);
    expect(received.map((r) => `${String(r.body.action)} ${String(r.body.weight)}`)).toEqual(['set-weight 1', 'set-weight 5', 'set-weight 25', 'set-weight 50', 'confirm-promotion 100', 'set-weight 100']);
    expect(await hookLog(ws)).toEqual([]);
  });

  it('turns SIGTERM (or SIGINT) of the runner into the abort signal', () => {
    const proc = new EventEmitter();
    const signal = abortOnTermination(proc as unknown as NodeJS.Process);
    expect(signal.aborted).toBe(false);
    proc.emit('SIGTERM');
    expect(signal.aborted).toBe(true);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
  });

  it('prometheus: a bad prometheus-config is refused with its line, before any hook runs', async () => {
    const s = scenarios.get('healthy')!;
    const ws = await workspace('healthy');
    const ctx = offline();
    const up = await upstream(ws, ctx, new Date(s.start), 'allow');
    await writeFile(join(ws, 'prom.yaml'), 'versionLabel: app_version\nqueries:\n  requests: sum(rate(x[$window]))\n  erors: oops\nmode: range\n');
    const { rt } = await runStep(ws, ctx, s, up, { 'metrics-file': '', 'prometheus-url': 'http://127.0.0.1:9', 'prometheus-config': 'prom.yaml' });
    expect(rt.failed).toMatch(/^FILE_INVALID: prom.yaml: 2 problem\(s\) in the Prometheus settings:\n- queries.erors \(line 4\): unknown query.*\n- mode \(line 5\): must be query or query_range/);
    expect(await hookLog(ws)).toEqual([]);
  });

  it('lists every input problem at once', async () => {
    const s = scenarios.get('healthy')!;
    const ws = await workspace('healthy');
    const ctx = offline();
    const up = await upstream(ws, ctx, new Date(s.start), 'allow');
    const { rt } = await runStep(ws, ctx, s, up, { 'metrics-file': '', 'set-weight-command': '', stages: '5,1,100', 'max-duration': 'soon' });
    expect(rt.failed).toMatch(/^INPUT_MISSING: 4 input problem\(s\)/);
    for (const input of ['metrics-provider', 'set-weight-command', 'stages', 'max-duration']) expect(rt.failed).toContain(`- ${input}: `);
  });
});
