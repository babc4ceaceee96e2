/**
 * The canary predicate: built from real engine runs (simulated traffic, seeded), it passes its
 * schema, signs and verifies, names the decision and risk as inputs, clips untrusted text, and gives
 * the audit ledger the outcome, environment and finish time it records.
 */
import { describe, expect, it } from '@jest/globals';
import { testKey } from '@genops/testkit';
import { PredicateTypes } from '../../src/artifact/statement.js';
import { signStatement } from '../../src/artifact/sign.js';
import { verifyArtifactBytes } from '../../src/artifact/verify.js';
import { entryFields } from '../../src/audit/ledger.js';
import { DEFAULT_CANARY_CONFIG } from '../../src/canary/config.js';
import { runCanary } from '../../src/canary/engine.js';
import type { MetricsProvider } from '../../src/canary/model.js';
import { buildCanaryBody, buildCanaryStatement, type CanaryFacts, type CanaryPredicate } from '../../src/canary/predicate.js';
import { simulatedClock, simulatedProvider } from '../../src/canary/simulate.js';
import type { CanaryRun } from '../../src/canary/trace.js';
import { validateAgainst } from '../../src/schemas/index.js';

const kp = testKey();
const SHA = 'a'.repeat(40);
const DECISION = 'd'.repeat(64);
const RISK = 'e'.repeat(64);
const RUN = { repository: 'acme/shop', runId: '42', runAttempt: 1, workflowRef: 'acme/shop/.github/workflows/deploy.yml@refs/heads/main', event: 'push', ref: 'refs/heads/main', sha: SHA };
const STAGES = [1, 5, 25, 50, 100];
const traffic = { setWeight: () => Promise.resolve(), rollback: () => Promise.resolve() };

async function rollout(errorRatio: number, provider?: MetricsProvider): Promise<CanaryRun> {
  return runCanary({ stages: STAGES, config: DEFAULT_CANARY_CONFIG, provider: provider ?? simulatedProvider({ seed: 7, requestsPerMinute: 6000, errorRatio }), traffic, clock: simulatedClock() });
}

function facts(run: CanaryRun): CanaryFacts {
  return {
    run,
    config: DEFAULT_CANARY_CONFIG,
    environment: 'production',
    decision: { digest: DECISION, decision: 'allow', key: 'deploy-production', environment: 'production' },
    plan: { source: 'risk', riskTier: 'low', stages: STAGES },
    provider: 'prometheus',
    traffic: 'command',
    resumed: false,
  };
}

function statementOf(run: CanaryRun) {
  return buildCanaryStatement(
    { repository: 'acme/shop', gitCommit: SHA },
    { toolVersion: '0.1.0', run: RUN, now: new Date(run.endedAt), ttlSeconds: 3600 },
    { decision: { name: 'decision.json', digest: DECISION }, risk: { name: 'risk.json', digest: RISK } },
    buildCanaryBody(facts(run)),
  );
}

describe('canary predicate', () => {
  it.each([
    ['healthy', 1, 'promoted'],
    ['3x errors', 3, 'rolled-back'],
  ])('a %s rollout passes the schema, signs, verifies, and names the decision and risk as inputs', async (_name, ratio, outcome) => {
    const run = await rollout(ratio);
    expect(run.outcome).toBe(outcome);
    const st = statementOf(run);
    expect(validateAgainst('canary', st.predicate)).toEqual([]);
    const p = st.predicate;
    expect(p).toMatchObject({ outcome, environment: 'production', finishedAt: run.endedAt, startedAt: run.startedAt, finalWeight: run.finalWeight, rule: run.rule });
    expect(p.settings).toMatchObject({ alpha: 0.05, method: 'share', stages: STAGES, windowSeconds: 60, dwellSeconds: 300 });
    expect(p.totals.windows).toBe(run.stages.reduce((a, s) => a + s.windows.length, 0));
    expect(p.header.inputs).toEqual([
      { name: 'decision.json', predicateType: PredicateTypes.decision, digest: { sha256: DECISION } },
      { name: 'risk.json', predicateType: PredicateTypes.risk, digest: { sha256: RISK } },
    ]);
    const { bundle } = await signStatement(st, kp.signer);
    const v = verifyArtifactBytes(Buffer.from(JSON.stringify(bundle)), 'canary.json', { trust: { mode: 'key', keys: [kp.publicKey] }, predicateType: PredicateTypes.canary, subject: { gitCommit: SHA }, now: new Date(run.endedAt) });
    expect((v.statement.predicate as unknown as CanaryPredicate).stages).toEqual(p.stages);

    // The audit ledger reads outcome, environment and finishedAt by name.
    const entry = entryFields(v, {});
    expect(entry.canary).toEqual({ outcome, environment: 'production', finishedAt: run.endedAt });
    expect(entry.environment).toBe('production');
  });

  it('an inconclusive run with provider gaps keeps the (clipped, untrusted) gap reasons and passes the schema', async () => {
    const reason = `prometheus: no data for the window <script>${'x'.repeat(20_000)}`;
    const run = await rollout(1, { kind: 'prometheus', read: () => Promise.resolve({ ok: false, reason }) });
    expect(run.outcome).toBe('inconclusive');
    const p = statementOf(run).predicate;
    expect(validateAgainst('canary', p)).toEqual([]);
    const gap = p.stages[0]!.windows[0]!;
    expect(gap.status).toBe('gap');
    expect(gap.gapReason!.length).toBe(8192);
    expect(gap.gapReason!.endsWith('\u2026')).toBe(true);
    expect(p.totals).toMatchObject({ dataWindows: 0, canaryRequests: 0 });
    expect(p.totals.gapWindows).toBe(p.totals.windows);
  });

  it('the schema refuses what the ledger could not read, and unknown fields', async () => {
    const p = statementOf(await rollout(1)).predicate as unknown as Record<string, unknown>;
    expect(validateAgainst('canary', { ...p, outcome: 'maybe' }).map((x) => x.pointer)).toContain('/outcome');
    const { environment: _e, ...noEnv } = p;
    expect(validateAgainst('canary', noEnv).length).toBeGreaterThan(0);
    expect(validateAgainst('canary', { ...p, finishedAt: 'yesterday' }).map((x) => x.pointer)).toContain('/finishedAt');
    expect(validateAgainst('canary', { ...p, extra: 1 }).length).toBeGreaterThan(0);
    expect(validateAgainst('canary', { ...p, decision: { ...(p.decision as object), decision: 'deny' } }).map((x) => x.pointer)).toContain('/decision/decision');
  });
});
