/**
 * `genops canary run` end to end on fixture scenarios: signed evidence, risk and decision on disk,
 * the scenario's history as a metrics file, a real bash hook recording the weights, the engine's
 * simulated clock injected; and through commander, the refusals that happen before any clock runs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { generateCanaryHistory, loadCanaryScenario, makeDecision, testKey, testRun, toWindowRows, type CanaryScenario } from '@genops/testkit';
import {
  buildDecisionStatement,
  buildEvidenceStatement,
  buildRiskStatement,
  DEFAULT_RISK_CONFIG,
  nodeFileSystem,
  PredicateTypes,
  scoreRisk,
  signStatement,
  simulatedClock,
  verifyArtifactBytes,
  writeArtifact,
  type CanaryPredicate,
  type Decision,
  type Evidence,
} from '@genops/core';
import type { CliIO } from '../src/cli.js';
import { canaryRun, registerCanary, type CanaryRunOptions } from '../src/commands/canary.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..', '..');
const kp = testKey();
const SHA = 'c'.repeat(40);
let dir: string;

function memoryIO(): CliIO & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (l) => out_.push(l), err: (l) => err_.push(l) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-canary-run-'));
  await writeFile(join(dir, 'key.pem'), kp.privateKeyPem);
  await writeFile(join(dir, 'hook.sh'), '#!/usr/bin/env bash\nset -euo pipefail\necho "$1 $GENOPS_CANARY_WEIGHT" >> "$2"\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A workspace for one run: the scenario's windows and matching settings, and the signed upstream artifacts. */
async function setUp(name: string, scenario: CanaryScenario, decision: Decision): Promise<string> {
  const ws = join(dir, name);
  const fs = nodeFileSystem(ws);
  await fs.writeFileAtomic('metrics.json', JSON.stringify(toWindowRows(generateCanaryHistory(scenario))));
  const dwell = Math.min(...scenario.stages.slice(0, -1).map((s) => s.windows)) * scenario.windowSeconds;
  await fs.writeFileAtomic('canary.yaml', `window: 60s\ndwell: ${String(dwell)}s\nstageDeadline: ${String(scenario.stages.at(-1)!.windows * 60)}s\n`);
  const evidence = JSON.parse(await readFile(join(root, 'fixtures', 'risk', 'changes', 'docs-only.evidence.json'), 'utf8')) as Evidence;
  const now = new Date(Date.parse(scenario.start) - 600_000);
  const subject = { repository: 'acme/shop', gitCommit: SHA };
  const header = { toolVersion: '0.1.0', run: testRun({ repository: 'acme/shop', sha: SHA }), now, ttlSeconds: 7 * 24 * 3600 };
  const ev = await writeArtifact(fs, 'evidence.json', await signStatement(buildEvidenceStatement(subject, header, evidence), kp.signer));
  const assessment = scoreRisk({ evidence, config: DEFAULT_RISK_CONFIG, now, incidents: [] });
  const risk = await writeArtifact(fs, 'risk.json', await signStatement(buildRiskStatement(subject, header, { name: 'evidence.json', digest: ev['artifact-digest'].slice(7) }, assessment), kp.signer));
  const { header: _h, ...body } = makeDecision({
    decision,
    results: [],
    change: { repository: 'acme/shop', sha: SHA, author: 'dev', evaluatedAt: now.toISOString() },
    risk: { score: assessment.score, tier: assessment.tier, recourse: [], canaryPlan: assessment.canaryPlan },
    ...(decision === 'require-approval' ? { requiredEnvironment: 'prod-approval' } : {}),
  });
  const refs = { evidence: { name: 'evidence.json', digest: ev['artifact-digest'].slice(7) }, risk: { name: 'risk.json', digest: risk['artifact-digest'].slice(7) } };
  await writeArtifact(fs, 'decision.json', await signStatement(buildDecisionStatement(subject, header, refs, body), kp.signer));
  return ws;
}

function options(ws: string, extra: Partial<CanaryRunOptions> = {}): CanaryRunOptions {
  return {
    decision: 'decision.json',
    risk: 'risk.json',
    key: join(dir, 'key.pem'),
    out: 'canary.json',
    metricsFile: 'metrics.json',
    config: 'canary.yaml',
    setWeightCommand: `bash ${join(dir, 'hook.sh')} set hook.log`,
    rollbackCommand: `bash ${join(dir, 'hook.sh')} rollback hook.log`,
    ...extra,
  };
}

/** The code of what was thrown (every genops error has one). */
const codeOf = (e: unknown) => (e as { code?: string }).code;

const weights = (ws: string) => (existsSync(join(ws, 'hook.log')) ? readFileSync(join(ws, 'hook.log'), 'utf8').trim().split('\n') : []);

describe('genops canary run', () => {
  it('healthy fixture: verifies the decision, walks the risk plan, promotes, signs a canary artifact (--json, --chart)', async () => {
    const s = loadCanaryScenario('healthy');
    const ws = await setUp('healthy', s, 'allow');
    const io = memoryIO();
    const summary = await canaryRun(options(ws, { json: true, chart: 'chart.svg', state: 'state.json' }), io, { clock: simulatedClock(new Date(s.start)), cwd: ws });
    expect(summary).toMatchObject({ outcome: 'promoted', finalWeight: 100, artifactPath: 'canary.json', resumed: false, statePath: join(ws, 'state.json') });
    expect(weights(ws)).toEqual(['set 1', 'set 5', 'set 25', 'set 50', 'set 100']);
    const printed = JSON.parse(io.out_.join('\n')) as { outcome: string; artifactDigest: string };
    expect(printed.outcome).toBe('promoted');
    expect(io.err_).toEqual([`signed canary.json ${summary.artifactDigest}`]);
    const v = verifyArtifactBytes(readFileSync(join(ws, 'canary.json')), 'canary.json', { trust: { mode: 'key', keys: [kp.publicKey] }, predicateType: PredicateTypes.canary, subject: { gitCommit: SHA }, now: new Date(Date.parse(s.start) + 3600_000) });
    expect(`sha256:${v.digest}`).toBe(printed.artifactDigest);
    const p = v.statement.predicate as unknown as CanaryPredicate;
    expect(p).toMatchObject({ outcome: 'promoted', environment: 'production', provider: 'file', plan: { source: 'risk', stages: [1, 5, 25, 50, 100] } });
    expect(p.header.inputs.map((i) => i.predicateType)).toEqual([PredicateTypes.decision, PredicateTypes.risk]);
    expect(readFileSync(join(ws, 'chart.svg'), 'utf8')).toMatch(/^<svg /);
    expect(JSON.parse(readFileSync(join(ws, 'state.json'), 'utf8'))).toMatchObject({ kind: 'genops-canary-state', state: { status: 'finished' } });

    // Running it again with the finished state re-signs the same outcome without moving traffic.
    const again = await canaryRun(options(ws, { state: 'state.json', out: 'canary-2.json' }), memoryIO(), { clock: simulatedClock(new Date(Date.parse(s.start) + 3600_000)), cwd: ws });
    expect(again).toMatchObject({ outcome: 'promoted', resumed: true });
    expect(weights(ws)).toHaveLength(5);
  });

  it('errors-3x fixture: rolls back through the rollback hook, prints the trace, signs, exits with CANARY_ROLLED_BACK', async () => {
    const s = loadCanaryScenario('errors-3x');
    const ws = await setUp('errors-3x', s, 'allow');
    const io = memoryIO();
    const err = await canaryRun(options(ws), io, { clock: simulatedClock(new Date(s.start)), cwd: ws }).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('CANARY_ROLLED_BACK');
    expect(weights(ws).at(-1)).toBe('rollback 0');
    expect(weights(ws)).not.toContain('set 100');
    expect(io.out_[0]).toMatch(/^canary rolled-back at 0 % \(rollback-/);
    expect(io.out_.at(-1)).toMatch(/^signed canary.json sha256:[0-9a-f]{64}$/);
    expect(existsSync(join(ws, 'canary.json.state.json'))).toBe(true);
  });

  it('a deny decision is refused before any hook runs (POLICY_DENIED); require-approval cannot be approved from a terminal', async () => {
    const s = loadCanaryScenario('healthy');
    for (const decision of ['deny', 'require-approval'] as const) {
      const ws = await setUp(`refused-${decision}`, s, decision);
      const err = await canaryRun(options(ws), memoryIO(), { clock: simulatedClock(new Date(s.start)), cwd: ws }).catch((e: unknown) => e);
      expect(codeOf(err)).toBe('POLICY_DENIED');
      expect((err as Error).message).toMatch(decision === 'deny' ? /is deny: nothing was deployed/ : /require-approval .* can only be checked inside the workflow run/);
      expect(weights(ws)).toEqual([]);
      expect(existsSync(join(ws, 'canary.json'))).toBe(false);
    }
  });

  it('a decision signed by an untrusted key is refused (--trust-key)', async () => {
    const s = loadCanaryScenario('healthy');
    const ws = await setUp('untrusted', s, 'allow');
    const other = testKey();
    await writeFile(join(ws, 'other.pub'), other.publicKeyPem);
    const err = await canaryRun(options(ws, { trustKey: ['other.pub'] }), memoryIO(), { clock: simulatedClock(new Date(s.start)), cwd: ws }).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('KEY_UNTRUSTED');
    expect(weights(ws)).toEqual([]);
  });

  it('is wired into commander as `canary run`, with its required options', async () => {
    const program = new Command().name('genops').exitOverride().configureOutput({ writeErr: () => undefined });
    const canary = registerCanary(program, memoryIO());
    const run = canary.commands.find((c) => c.name() === 'run');
    expect(run?.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--decision', '--risk', '--key', '--out', '--state', '--json', '--metrics-file', '--prometheus-url', '--metrics-url', '--set-weight-command', '--rollback-command', '--webhook-url']));
    run?.exitOverride();
    const err = await program.parseAsync(['canary', 'run', '--key', 'k.pem', '--out', 'c.json'], { from: 'user' }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/required option '--decision <bundle>' not specified/);
  });
});
