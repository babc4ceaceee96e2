/**
 * The engine end to end on the four fixture changes (fixtures/risk/changes/README.md): concrete
 * scores and tiers, contributions that sum to the score, canary plans by tier, recourse that
 * lowers the tier, and a signable risk statement.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { testRun } from '@genops/testkit';
import { DEFAULT_RISK_CONFIG, parseRiskConfig } from '../../src/risk/config.js';
import { buildRiskStatement } from '../../src/risk/predicate.js';
import { scoreRisk } from '../../src/risk/score.js';
import { tierOf } from '../../src/risk/score-math.js';
import { FACTOR_NAMES } from '../../src/risk/model.js';
import type { Evidence } from '../../src/evidence/model.js';
import { validateAgainst } from '../../src/schemas/index.js';
import { sourceFile } from '../evidence/helpers.js';

const DIR = new URL('../../../../fixtures/risk/changes/', import.meta.url);
const evidence = (name: string) => JSON.parse(readFileSync(new URL(`${name}.evidence.json`, DIR), 'utf8')) as Evidence;

const CASES = [
  { name: 'docs-only', now: '2026-03-10T14:30:00Z', score: 0.0943, tier: 'low', plan: [1, 5, 25, 50, 100] },
  { name: 'friday-migration', now: '2026-03-13T16:30:00Z', score: 0.6066, tier: 'critical', plan: [1, 2, 5, 10, 25, 50, 100] },
  { name: 'ai-no-review', now: '2026-03-11T18:00:00Z', score: 0.3611, tier: 'high', plan: [1, 2, 5, 10, 25, 50, 100] },
  { name: 'vulnerable-bump', now: '2026-03-10T11:00:00Z', score: 0.3159, tier: 'medium', plan: [1, 5, 25, 50, 100] },
] as const;

describe('scoreRisk on the fixture changes', () => {
  it.each(CASES)('$name scores $score ($tier)', ({ name, now, score, tier, plan }) => {
    const a = scoreRisk({ evidence: evidence(name), config: DEFAULT_RISK_CONFIG, now: new Date(now) });
    expect(a.score).toBeCloseTo(score, 4);
    expect(a.tier).toBe(tier);
    expect(a.canaryPlan).toEqual(plan);
    // One factor per name, weights from the config, contributions summing to the score exactly.
    expect(a.factors.map((f) => f.name)).toEqual(FACTOR_NAMES);
    expect(a.factors.reduce((s, f) => s + f.contribution, 0)).toBe(a.score);
    for (const f of a.factors) {
      expect(f.weight).toBe(DEFAULT_RISK_CONFIG.weights[f.name]);
      expect(f.value).toBeGreaterThanOrEqual(0);
      expect(f.value).toBeLessThanOrEqual(1);
      expect(f.reason).not.toBe('');
    }
    // Recourse, when offered, lands in a lower tier and says at what score.
    if (tier === 'low') expect(a.recourse).toEqual([]);
    for (const r of a.recourse) {
      expect(r.actions.length).toBeGreaterThan(0);
      expect(tierOf(r.score, a.thresholds)).toBe(r.tier);
    }
  });

  it('offers the ai-no-review change a human review as the way down', () => {
    const a = scoreRisk({ evidence: evidence('ai-no-review'), config: DEFAULT_RISK_CONFIG, now: new Date('2026-03-11T18:00:00Z') });
    expect(a.recourse[0]?.actions.map((x) => x.id)).toContain('add-human-reviewer');
    expect(a.recourse[0]?.tier).toBe('medium');
  });

  it('moves only timing when the same change deploys on a Tuesday morning', () => {
    const friday = scoreRisk({ evidence: evidence('friday-migration'), config: DEFAULT_RISK_CONFIG, now: new Date('2026-03-13T16:30:00Z') });
    const tuesday = scoreRisk({ evidence: evidence('friday-migration'), config: DEFAULT_RISK_CONFIG, now: new Date('2026-03-10T09:30:00Z') });
    const changed = friday.factors.filter((f, i) => f.value !== tuesday.factors[i]?.value).map((f) => f.name);
    expect(changed).toEqual(['timing']);
    expect(tuesday.score).toBeLessThan(friday.score);
  });

  it('takes weights, thresholds and plans from a configuration file, and names bad keys with their line', () => {
    const cfg = parseRiskConfig(sourceFile('risk.yml', 'thresholds:\n  medium: 0.05\n  high: 0.08\n  critical: 0.9\ncanaryPlans:\n  low: [10, 100]\n'));
    const a = scoreRisk({ evidence: evidence('docs-only'), config: cfg, now: new Date('2026-03-10T14:30:00Z') });
    expect(a.tier).toBe('high');
    expect(a.configDigest).not.toBe(scoreRisk({ evidence: evidence('docs-only'), config: DEFAULT_RISK_CONFIG, now: new Date('2026-03-10T14:30:00Z') }).configDigest);
    let err: unknown;
    try {
      parseRiskConfig(sourceFile('risk.yml', 'weights:\n  timing: 0.1\nthresholds:\n  medium: 0.5\n  high: 0.4\n  critical: 0.9\n'));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'FILE_INVALID', details: { file: 'risk.yml', line: 3 } });
    expect(() => parseRiskConfig(sourceFile('risk.yml', 'weights:\n  timming: 0.1\n'))).toThrow(/weights/);
  });

  it('builds a statement that passes the risk schema, naming the evidence as its input', () => {
    const a = scoreRisk({ evidence: evidence('friday-migration'), config: DEFAULT_RISK_CONFIG, now: new Date('2026-03-13T16:30:00Z') });
    const st = buildRiskStatement({ repository: 'acme/app', gitCommit: 'c'.repeat(40) }, { toolVersion: '0.1.0', run: testRun(), now: new Date('2026-03-13T16:30:00Z'), ttlSeconds: 60 }, { name: 'evidence.json', digest: 'd'.repeat(64) }, a);
    expect(validateAgainst('risk', st.predicate)).toEqual([]);
    expect(st.predicate.header.inputs).toEqual([{ name: 'evidence.json', predicateType: 'https://genops.dev/attestations/evidence/v1', digest: { sha256: 'd'.repeat(64) } }]);
  });
});
