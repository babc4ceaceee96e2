/**
 * The call `genops demo` makes to replay a fixture scenario through the file provider and sign a
 * canary artifact: authorizeCanary over the verified decision and risk, then runCanaryRollout with
 * the scenario's rows (moved to start after the decision was signed), an in-memory traffic control
 * and the simulated clock. The signed canary chains to the decision.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCanaryHistory, loadCanaryScenario, makeDecision, testKey, testRun, toWindowRows } from '@genops/testkit';
import { verifyChain } from '../../src/artifact/chain.js';
import { writeArtifact } from '../../src/artifact/handoff.js';
import { signStatement } from '../../src/artifact/sign.js';
import { PredicateTypes } from '../../src/artifact/statement.js';
import { verifyArtifactBytes } from '../../src/artifact/verify.js';
import { authorizeCanary, fileCanaryStateStore, runCanaryRollout } from '../../src/action/canary-step.js';
import { DEFAULT_CANARY_CONFIG } from '../../src/canary/config.js';
import { fileMetricsProvider, parseWindowFile } from '../../src/canary/file-provider.js';
import { simulatedClock } from '../../src/canary/simulate.js';
import { buildEvidenceStatement } from '../../src/evidence/predicate.js';
import type { Evidence } from '../../src/evidence/model.js';
import { nodeFileSystem } from '../../src/io.js';
import { buildDecisionStatement } from '../../src/policy/decision.js';
import { DEFAULT_RISK_CONFIG } from '../../src/risk/config.js';
import { buildRiskStatement } from '../../src/risk/predicate.js';
import { scoreRisk } from '../../src/risk/score.js';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
const kp = testKey();
const SHA = 'b'.repeat(40);

describe('replaying a fixture scenario into a signed canary artifact (the demo stage)', () => {
  it('healthy: promoted, weights 1..100, chains canary -> decision -> risk -> evidence', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'genops-canary-demo-'));
    try {
      const fs = nodeFileSystem(ws);
      const signedAt = new Date('2026-03-11T09:00:00Z');
      const subject = { repository: 'acme/shop', gitCommit: SHA };
      const header = { toolVersion: '0.1.0', run: testRun({ repository: 'acme/shop', sha: SHA }), now: signedAt, ttlSeconds: 7 * 24 * 3600 };
      const evidence = JSON.parse(await readFile(join(root, 'fixtures', 'risk', 'changes', 'docs-only.evidence.json'), 'utf8')) as Evidence;
      const ev = await signStatement(buildEvidenceStatement(subject, header, evidence), kp.signer);
      const assessment = scoreRisk({ evidence, config: DEFAULT_RISK_CONFIG, now: signedAt, incidents: [] });
      const risk = await signStatement(buildRiskStatement(subject, header, { name: 'evidence.json', digest: ev.digest }, assessment), kp.signer);
      const { header: _h, ...body } = makeDecision({ decision: 'allow', results: [], change: { repository: 'acme/shop', sha: SHA, author: 'dev', evaluatedAt: signedAt.toISOString() }, risk: { score: assessment.score, tier: assessment.tier, recourse: [], canaryPlan: assessment.canaryPlan } });
      const decision = await signStatement(buildDecisionStatement(subject, header, { evidence: { name: 'evidence.json', digest: ev.digest }, risk: { name: 'risk.json', digest: risk.digest } }, body), kp.signer);
      const at = new Date(signedAt.getTime() + 3600_000);
      const verify = (b: typeof ev, name: string, type: string) => verifyArtifactBytes(Buffer.from(JSON.stringify(b.bundle)), name, { trust: { mode: 'key', keys: [kp.publicKey] }, predicateType: type, subject: { gitCommit: SHA }, now: at });
      const vDecision = verify(decision, 'decision.json', PredicateTypes.decision);
      const vRisk = verify(risk, 'risk.json', PredicateTypes.risk);

      // The scenario's history as the file provider reads it, moved to start one hour after signing.
      const scenario = loadCanaryScenario('healthy');
      const shift = at.getTime() - Date.parse(scenario.start);
      const moved = (iso: string) => new Date(Date.parse(iso) + shift).toISOString();
      const text = JSON.stringify(toWindowRows(generateCanaryHistory(scenario)).map((r) => ({ ...r, start: moved(r.start), end: moved(r.end) })));
      const weights: number[] = [];

      // The call.
      const auth = await authorizeCanary([vDecision, vRisk]);
      const { run, statement } = await runCanaryRollout({
        auth,
        config: { ...DEFAULT_CANARY_CONFIG, dwellSeconds: 360, stageDeadlineSeconds: 2400, lastStageDeadlineSeconds: 2400 },
        provider: fileMetricsProvider(parseWindowFile(text, 'healthy.windows.json'), 'healthy.windows.json'),
        providerKind: 'file',
        traffic: { setWeight: (w) => Promise.resolve(void weights.push(w)), rollback: () => Promise.resolve() },
        trafficKind: 'command',
        clock: simulatedClock(at),
        store: fileCanaryStateStore(join(ws, 'canary-state.json')),
        subject,
        header: { run: testRun({ repository: 'acme/shop', sha: SHA }), ttlSeconds: 30 * 24 * 3600 },
      });
      const out = await writeArtifact(fs, 'canary.intoto.json', await signStatement(statement, kp.signer));

      expect(run.outcome).toBe('promoted');
      expect(weights).toEqual([1, 5, 25, 50, 100]);
      const vCanary = verifyArtifactBytes(await fs.readFile('canary.intoto.json'), 'canary.intoto.json', { trust: { mode: 'key', keys: [kp.publicKey] }, predicateType: PredicateTypes.canary, subject: { gitCommit: SHA }, now: new Date(at.getTime() + 3600_000) });
      expect(`sha256:${vCanary.digest}`).toBe(out['artifact-digest']);
      expect(() => verifyChain([verify(ev, 'evidence.json', PredicateTypes.evidence), vRisk, vDecision, vCanary], { requireInputs: true })).not.toThrow();
    } finally {
      await rm(ws, { recursive: true, force: true });
    }
  });
});
