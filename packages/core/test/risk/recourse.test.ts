/**
 * Recourse: candidates from evidence (labels, new values, costs), the subset search (cheapest
 * minimal sets that lower the tier, the fallback), and the shared score arithmetic.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError } from '../../src/errors.js';
import { emptyEvidence, type ChangeEvidence, type Evidence, type Finding } from '../../src/evidence/model.js';
import { DEFAULT_RISK_CONFIG, type RiskConfig } from '../../src/risk/config.js';
import { FACTOR_FUNCTIONS } from '../../src/risk/factors.js';
import { FACTOR_NAMES, type Factor, type FactorName, type Recourse } from '../../src/risk/model.js';
import { EXHAUSTIVE_LIMIT, findRecourse, recourseCandidates, rescore, type RecourseCandidate, type Revalue } from '../../src/risk/recourse.js';
import { changeSize, tierOf, tierRank, weightedScore } from '../../src/risk/score-math.js';

// The thresholds these expectations were worked out with (pinned, so a change of the defaults does not move them).
const config: RiskConfig = { ...DEFAULT_RISK_CONFIG, thresholds: { medium: 0.25, high: 0.45, critical: 0.65 } };


function change(overrides: Partial<ChangeEvidence> = {}): ChangeEvidence {
  return {
    source: 'github',
    labels: [],
    files: [],
    totals: { files: 30, additions: 1200, deletions: 300 },
    categories: { migration: 1 },
    reviews: [],
    approvals: { human: 0, bot: 0, codeOwner: 0, changesRequested: 0 },
    codeowners: { file: '.github/CODEOWNERS', ownedFiles: 30, unownedFiles: [], owners: ['@acme/payments', '@alice', '@bob', '@carol'] },
    ai: { agentAuthor: null, coAuthors: ['Claude'], aiCommits: 3, commits: 4, share: 0.8 },
    ...overrides,
  };
}

function finding(id: string, purl: string, fixedIn: string[], extra: Partial<Finding> = {}): Finding {
  return { id, aliases: [], kind: 'dependency', tools: ['grype'], severity: 'high', purl, fixedIn, fixAvailable: fixedIn.length > 0, locations: [], suppressed: false, ...extra };
}

/** A risky pull request with every kind of recourse available. */
function riskyEvidence(): Evidence {
  return {
    ...emptyEvidence(),
    service: { source: 'genops', app: 'payments-api', owner: 'team-payments', tier: 'critical', timezone: 'Europe/Berlin', slos: [], dependents: [], freezeWindows: [] },
    change: change(),
    coverage: {
      lines: { covered: 900, total: 1000, ratio: 0.9 },
      files: 12,
      changedLines: {
        covered: 28,
        total: 40,
        ratio: 0.7,
        notInstrumented: 5,
        uncovered: [
          { path: 'src/ledger.ts', ranges: [[10, 15]] },
          { path: 'src/refund.ts', ranges: [[3, 8]] },
        ],
      },
    },
    tests: {
      total: 120,
      passed: 117,
      failed: 2,
      errored: 0,
      skipped: 0,
      flaky: 1,
      suites: 3,
      failures: [
        { suite: 'LedgerTest', name: 'posts refunds' },
        { suite: 'LedgerTest', name: 'rounds cents' },
      ],
      flakyTests: [{ suite: 'ApiTest', name: 'times out', attempts: 2 }],
    },
    vulnerabilities: {
      findings: [
        finding('CVE-2021-23337', 'pkg:npm/lodash@4.17.20', ['4.17.21']),
        finding('CVE-2020-28500', 'pkg:npm/lodash@4.17.20', ['4.17.19']),
        finding('CVE-2024-1', 'pkg:npm/express@4.18.1', ['4.19.2', '5.0.0']),
        finding('CVE-2023-9', 'pkg:npm/left-pad@1.0.0', [], { suppressed: true, vex: { status: 'not_affected', source: 'vex.json' } }),
      ],
      totals: { critical: 0, high: 3, medium: 0, low: 0, none: 0, unknown: 0 },
      suppressed: 1,
    },
    provenance: {
      artifacts: [{ bundle: 'dist/app.sigstore.json', subjects: [{ name: 'app.tgz' }], verified: false, reason: 'SIGNATURE_INVALID' }],
      verified: 0,
      unverified: 1,
    },
  };
}

/** Factors with the engine's values for this evidence, timing as given (Friday afternoon: 0.9). */
function engineFactors(e: Evidence, timing = 0.9, cfg: RiskConfig = config): Factor[] {
  const ctx = { config: cfg, now: new Date('2026-03-06T16:30:00Z'), history: null };
  const total = FACTOR_NAMES.reduce((s, n) => s + cfg.weights[n], 0);
  return FACTOR_NAMES.map((name) => {
    const v = name === 'timing' ? timing : FACTOR_FUNCTIONS[name](e, ctx).value;
    return { name, value: v, weight: cfg.weights[name], contribution: (cfg.weights[name] * v) / total, reason: '', evidence: [] };
  });
}

function factor(name: FactorName, value: number, weight: number): Factor {
  return { name, value, weight, contribution: 0, reason: '', evidence: [] };
}

const byId = (cs: readonly RecourseCandidate[]) => Object.fromEntries(cs.map((c) => [c.id, c]));

describe('score-math', () => {
  it('is the weighted mean, with the tier from the thresholds', () => {
    expect(weightedScore([{ name: 'a', value: 1, weight: 1 }, { name: 'b', value: 0, weight: 3 }])).toBe(0.25);
    expect(weightedScore([{ name: 'a', value: 0.5, weight: 2 }, { name: 'b', value: 0.8, weight: 0 }])).toBe(0.5);
    const t = { medium: 0.25, high: 0.45, critical: 0.65 };
    expect([0, 0.2499, 0.25, 0.45, 0.6499, 0.65, 1].map((s) => tierOf(s, t))).toEqual(['low', 'low', 'medium', 'high', 'high', 'critical', 'critical']);
  });

  it('refuses weights that sum to 0', () => {
    expect(() => weightedScore([{ name: 'a', value: 1, weight: 0 }])).toThrow(ConfigError);
    expect(() => weightedScore([])).toThrow(ConfigError);
  });

  it('saturates change size linearly in lines and files', () => {
    expect(changeSize(1500, 30, config.complexity)).toBeCloseTo(0.8, 12); // (1 + 0.6) / 2
    expect(changeSize(750, 15, config.complexity)).toBeCloseTo(0.525, 12); // (0.75 + 0.3) / 2
    expect(changeSize(5000, 500, config.complexity)).toBe(1);
  });

  it('rescore replaces only the overridden factors', () => {
    const fs = [factor('tests', 1, 1), factor('timing', 0.9, 1)];
    expect(rescore(fs, { tests: 0 })).toBeCloseTo(0.45, 12);
    expect(rescore(fs, {})).toBeCloseTo(0.95, 12);
  });
});

describe('recourseCandidates', () => {
  const e = riskyEvidence();
  const factors = engineFactors(e);
  const candidates = recourseCandidates(e, factors, config);

  it('offers every action the evidence supports, with concrete labels and configured costs', () => {
    expect(candidates.map((c) => [c.id, c.factor, c.cost])).toEqual([
      ['fix-tests', 'tests', 2],
      ['cover-changed-lines', 'changed-line-coverage', 2],
      ['upgrade-vulnerable', 'vulnerabilities', 3],
      ['verify-provenance', 'provenance', 2],
      ['add-human-reviewer', 'ai-review', 1],
      ['deploy-in-window', 'timing', 1],
      ['split-pr', 'change-complexity', 5],
    ]);
    const c = byId(candidates);
    expect(c['fix-tests']?.label).toBe('Fix the 2 failing tests (LedgerTest › posts refunds, LedgerTest › rounds cents) and the 1 flaky test (ApiTest › times out)');
    expect(c['cover-changed-lines']?.label).toBe('Cover the 12 uncovered changed lines in 2 files');
    expect(c['upgrade-vulnerable']?.label).toBe('Upgrade pkg:npm/lodash@4.17.20 to 4.17.21, pkg:npm/express@4.18.1 to 4.19.2 (fixes 3 findings)');
    expect(c['verify-provenance']?.label).toBe('Verify the build provenance of 1 bundle (dist/app.sigstore.json: SIGNATURE_INVALID)');
    expect(c['add-human-reviewer']?.label).toBe('Get an approving review of the head commit from a code owner (@acme/payments, @alice, @bob and 1 more)');
    expect(c['deploy-in-window']?.label).toBe('Deploy on a weekday between 09:00 and 17:00 Europe/Berlin, before 16:00 on Fridays');
    expect(c['split-pr']?.label).toBe('Split the PR in two of about 750 changed lines in 15 files each (now 1,500 lines in 30 files)');
  });

  it('sets each factor to what the engine gives after the action', () => {
    const c = byId(candidates);
    expect(c['fix-tests']?.newValue).toBe(0);
    expect(c['cover-changed-lines']?.newValue).toBe(0);
    expect(c['upgrade-vulnerable']?.newValue).toBe(0); // every open finding has a fix
    expect(c['verify-provenance']?.newValue).toBe(0);
    expect(c['deploy-in-window']?.newValue).toBe(config.timing.values.normal);
    // Engine: 0.7 * size + 0.3 * structural; size 0.8 -> 0.525 with half the lines and files, the migration stays.
    expect(factors.find((f) => f.name === 'change-complexity')?.value).toBeCloseTo(0.86, 12);
    expect(c['split-pr']?.newValue).toBeCloseTo(0.86 - 0.7 * (0.8 - 0.525), 12);
    // Engine: gap 1 -> 0.25 with a code owner's approval, times 0.3 + 0.7 * 0.8.
    expect(c['add-human-reviewer']?.newValue).toBeCloseTo(0.25 * 0.86, 12);
  });

  it('keeps what the engine adds on top of a factor (incident boost)', () => {
    const boosted = factors.map((f) => (f.name === 'change-complexity' ? { ...f, value: 0.96 } : f));
    const split = byId(recourseCandidates(e, boosted, config))['split-pr'];
    expect(split?.newValue).toBeCloseTo(0.96 - 0.7 * (0.8 - 0.525), 12);
  });

  it('uses an injected factor function and the configured costs', () => {
    const revalue: Revalue = (name, ev) => (name === 'tests' ? (ev.tests?.failed ?? 0) / 10 : 0.5);
    const cfg: RiskConfig = { ...config, recourseCosts: { 'fix-tests': 7 } };
    const cs = recourseCandidates(e, factors, cfg, revalue);
    // tests drops by 0.2 - 0 from its reported 1; every other revalued factor does not move.
    expect(cs.map((c) => [c.id, c.newValue, c.cost])).toEqual([
      ['fix-tests', 0.8, 7],
      ['deploy-in-window', 0.1, 1], // not in the configured costs: the default cost
    ]);
  });

  it('offers partial upgrades and names unmeasured files', () => {
    const ev = riskyEvidence();
    ev.vulnerabilities?.findings.push(finding('CVE-2025-7', 'pkg:npm/qs@6.0.0', [], { severity: 'medium' }));
    const cov = ev.coverage?.changedLines;
    if (cov !== null && cov !== undefined) cov.unmeasuredFiles = ['src/new-a.ts', 'src/new-b.ts'];
    const c = byId(recourseCandidates(ev, engineFactors(ev), config));
    expect(c['upgrade-vulnerable']?.label).toBe('Upgrade pkg:npm/lodash@4.17.20 to 4.17.21, pkg:npm/express@4.18.1 to 4.19.2 (fixes 3 findings of 4)');
    // Engine: noisy-or 1 - 0.4^3 * (1 - 0.25 * 0.8) = 0.9488 now; the medium without a fix stays: 0.2.
    expect(c['upgrade-vulnerable']?.newValue).toBeCloseTo(0.2, 12);
    expect(c['cover-changed-lines']?.label).toBe('Cover the 12 uncovered changed lines in 2 files and test the 2 changed source files no test loads (src/new-a.ts, src/new-b.ts)');
  });

  it('offers nothing the evidence does not support', () => {
    const ev = emptyEvidence();
    ev.change = change({ ai: { agentAuthor: null, coAuthors: [], aiCommits: 0, commits: 2, share: 0 }, totals: { files: 1, additions: 3, deletions: 1 }, categories: {} });
    ev.tests = { total: 10, passed: 10, failed: 0, errored: 0, skipped: 0, flaky: 0, suites: 1, failures: [], flakyTests: [] };
    const fs = engineFactors(ev, 0.1);
    expect(recourseCandidates(ev, fs, config).map((c) => c.id)).toEqual(['split-pr']);
    // A code owner already approved: no reviewer action, even for an AI change.
    ev.change = change({ approvals: { human: 1, bot: 0, codeOwner: 1, changesRequested: 0 } });
    expect(recourseCandidates(ev, engineFactors(ev, 0.1), config).map((c) => c.id)).not.toContain('add-human-reviewer');
  });

  it('says so when provenance lists no bundle, and uses the default zone for an invalid one', () => {
    const ev = emptyEvidence();
    ev.provenance = { artifacts: [], verified: 0, unverified: 0 };
    ev.service = { source: 'genops', app: 'x', owner: 'y', timezone: 'Mars/Olympus', slos: [], dependents: [], freezeWindows: [{ start: '2026-12-20T00:00:00Z', end: '2027-01-02T00:00:00Z' }] };
    const c = byId(recourseCandidates(ev, engineFactors(ev, 1), config));
    expect(c['verify-provenance']).toEqual({ id: 'verify-provenance', label: 'Attach a verified build provenance bundle for the built artifacts', factor: 'provenance', cost: 2, newValue: 0 });
    expect(c['deploy-in-window']?.label).toBe('Deploy on a weekday between 09:00 and 17:00 UTC, before 16:00 on Fridays, outside freeze windows and holidays');
  });

  it('finds recourse for the risky change: cheapest minimal sets with their scores', () => {
    const score = weightedScore(factors);
    expect(tierOf(score, config.thresholds)).toBe('critical');
    const result = findRecourse(factors, candidates, config);
    // Weights sum to 1.4. A code owner's review (ai-review 0.86 -> 0.215, weight 0.05) and a deploy in
    // working hours (timing 0.9 -> 0.1, weight 0.1) take (0.03225 + 0.08) / 1.4 off: critical to high for cost 2.
    expect(result.map((r) => [r.actions.map((a) => a.id), r.cost, r.tier])).toEqual([
      [['add-human-reviewer', 'deploy-in-window'], 2, 'high'],
      [['deploy-in-window', 'fix-tests'], 3, 'high'],
      [['deploy-in-window', 'verify-provenance'], 3, 'high'],
    ]);
    expect(result[0]?.score).toBeCloseTo(score - (0.05 * (0.86 - 0.215) + 0.1 * 0.8) / 1.4, 12);
    for (const r of result) {
      expect(['low', 'medium', 'high']).toContain(r.tier);
      expect(r.cost).toBe(r.actions.reduce((s, a) => s + a.cost, 0));
      expect(Object.keys(r.actions[0] ?? {}).sort()).toEqual(['cost', 'factor', 'id', 'label']);
    }
  });
});

describe('findRecourse', () => {
  // Weights sum to 1: score = 0.5 * 1 + 0.1 * tests + 0.2 * timing + 0.2 * coverage.
  const factors = [factor('service-tier', 1, 0.5), factor('tests', 1, 0.1), factor('timing', 0.9, 0.2), factor('changed-line-coverage', 0.6, 0.2)];
  const cand = (id: string, f: FactorName, newValue: number, cost: number): RecourseCandidate => ({ id, label: id, factor: f, newValue, cost });
  const fixTests = cand('fix-tests', 'tests', 0, 2);
  const deploy = cand('deploy-in-window', 'timing', 0.1, 1);
  const cover = cand('cover-changed-lines', 'changed-line-coverage', 0, 2);

  it('returns the cheapest minimal sets that lower the tier, by cost then score', () => {
    // Now 0.5 + 0.1 + 0.18 + 0.12 = 0.9 (critical). deploy alone 0.74, tests alone 0.8, cover alone 0.78: still critical.
    // deploy + tests 0.64 (high, cost 3), deploy + cover 0.62 (high, cost 3), tests + cover 0.68 (critical).
    const result = findRecourse(factors, [fixTests, deploy, cover], config);
    expect(result.map((r) => [r.actions.map((a) => a.id), r.cost, r.tier])).toEqual([
      [['deploy-in-window', 'cover-changed-lines'], 3, 'high'],
      [['deploy-in-window', 'fix-tests'], 3, 'high'],
    ]);
    expect(result[0]?.score).toBeCloseTo(0.62, 12);
    expect(result[1]?.score).toBeCloseTo(0.64, 12);
    expect(findRecourse(factors, [fixTests, deploy, cover], config, 1)).toHaveLength(1);
  });

  it('never returns a set that holds another lowering set, even when the extra action is free', () => {
    const free = cand('free', 'service-tier', 0.9, 0);
    const result = findRecourse(factors, [fixTests, deploy, cover, free], config, 10);
    // service-tier 1 -> 0.9 takes 0.05 off: deploy + free 0.69 (critical) ... the minimal sets:
    for (const r of result) for (const s of result) if (r !== s) expect(r.actions.every((a) => s.actions.some((b) => b.id === a.id))).toBe(false);
    expect(result.map((r) => r.actions.map((a) => a.id).sort().join('+'))).toEqual(['cover-changed-lines+deploy-in-window', 'deploy-in-window+fix-tests', 'cover-changed-lines+fix-tests+free']);
  });

  it('returns [] for a low tier or no candidates', () => {
    expect(findRecourse([factor('tests', 0.1, 1)], [cand('fix-tests', 'tests', 0, 2)], config)).toEqual([]);
    expect(findRecourse(factors, [], config)).toEqual([]);
  });

  it('falls back to the set that lowers the score most, tier unchanged, when no set lowers the tier', () => {
    const stuck = [factor('service-tier', 1, 0.9), factor('tests', 1, 0.1)];
    const result = findRecourse(stuck, [cand('fix-tests', 'tests', 0, 2), cand('other-tests', 'tests', 0.5, 1)], config);
    expect(result).toHaveLength(1);
    expect(result[0]?.actions.map((a) => a.id)).toEqual(['fix-tests']);
    expect(result[0]?.tier).toBe('critical');
    expect(result[0]?.score).toBeCloseTo(0.9, 12);
  });

  it(`searches best-first beyond ${String(EXHAUSTIVE_LIMIT)} candidates and agrees with brute force`, () => {
    // 14 factors of weight 1, each at 1 (score 1, critical); candidates of different costs and drops.
    const fs = FACTOR_NAMES.map((n) => factor(n, 1, 1));
    const cs = FACTOR_NAMES.map((n, i) => cand(`a${String(i)}`, n, (i % 4) / 4, 1 + ((i * 7) % 5)));
    expect(cs.length).toBeGreaterThan(EXHAUSTIVE_LIMIT);
    const result = findRecourse(fs, cs, config, 3);
    const reference = bruteForce(fs, cs, config);
    expect(result.map((r) => r.cost)).toEqual(reference.slice(0, 3).map((r) => r.cost));
    result.forEach((r, i) => expect(r.score).toBeCloseTo(reference[i]?.score ?? NaN, 12));
    const minimalSets = new Set(reference.map((r) => r.ids));
    for (const r of result) expect(minimalSets.has(r.actions.map((a) => a.id).sort().join('+'))).toBe(true);
  });
});

/** Every minimal lowering subset by brute force, by cost then score: the reference for the search. */
function bruteForce(fs: readonly Factor[], cs: readonly RecourseCandidate[], cfg: RiskConfig): { ids: string; cost: number; score: number }[] {
  const rank = { low: 0, medium: 1, high: 2, critical: 3 } as const;
  const current = rank[tierOf(weightedScore(fs), cfg.thresholds)];
  const scoreOf = (mask: number) => {
    const o: Partial<Record<string, number>> = {};
    cs.forEach((c, i) => {
      if ((mask >> i) & 1) o[c.factor] = Math.min(o[c.factor] ?? Infinity, c.newValue);
    });
    return rescore(fs, o);
  };
  const lowers = (mask: number) => rank[tierOf(scoreOf(mask), cfg.thresholds)] < current;
  const out: { ids: string; cost: number; score: number }[] = [];
  for (let mask = 1; mask < 1 << cs.length; mask++) {
    if (!lowers(mask)) continue;
    let minimal = true;
    for (let i = 0; i < cs.length && minimal; i++) if ((mask >> i) & 1 && lowers(mask & ~(1 << i))) minimal = false;
    if (!minimal) continue;
    const members = cs.filter((_c, i) => (mask >> i) & 1);
    out.push({ ids: members.map((c) => c.id).sort().join('+'), cost: members.reduce((s, c) => s + c.cost, 0), score: scoreOf(mask) });
  }
  return out.sort((a, b) => a.cost - b.cost || a.score - b.score);
}

describe('findRecourse properties', () => {
  const unit = fc.double({ min: 0, max: 1, noNaN: true });
  /** Factors over every name (a positive first weight), increasing thresholds, candidates that lower their factor. */
  const problem = (minCandidates: number, maxCandidates: number) =>
    fc
      .record({
        weights: fc.array(fc.oneof(fc.constant(0), unit), { minLength: FACTOR_NAMES.length, maxLength: FACTOR_NAMES.length }),
        values: fc.array(fc.oneof(unit, fc.constant(1)), { minLength: FACTOR_NAMES.length, maxLength: FACTOR_NAMES.length }),
        bounds: fc.uniqueArray(fc.double({ min: 0.01, max: 0.8, noNaN: true }), { minLength: 3, maxLength: 3 }),
        picks: fc.array(fc.record({ factor: fc.nat(FACTOR_NAMES.length - 1), fraction: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.99, noNaN: true })), cost: fc.nat(6) }), { minLength: minCandidates, maxLength: maxCandidates }),
      })
      .map(({ weights, values, bounds, picks }) => {
        const factors = FACTOR_NAMES.map((name, i) => factor(name, values[i] ?? 0, i === 0 ? Math.max(0.05, weights[i] ?? 0) : (weights[i] ?? 0)));
        const [medium, high, critical] = [...bounds].sort((a, b) => a - b) as [number, number, number];
        const candidates = picks.map((p, i) => {
          const f = factors[p.factor] as Factor;
          return { id: `c${String(i)}`, label: `c${String(i)}`, factor: f.name, newValue: f.value * p.fraction, cost: p.cost };
        });
        return { factors, cfg: { ...config, thresholds: { medium, high, critical } }, candidates: candidates.filter((c) => (factors.find((f) => f.name === c.factor)?.value ?? 0) > c.newValue) };
      });

  /** The score of a returned set, recomputed from its actions with rescore. */
  function rescored(factors: readonly Factor[], candidates: readonly RecourseCandidate[], ids: readonly string[]): number {
    const o: Partial<Record<string, number>> = {};
    for (const id of ids) {
      const c = candidates.find((x) => x.id === id);
      if (c !== undefined) o[c.factor] = Math.min(o[c.factor] ?? Infinity, c.newValue);
    }
    return rescore(factors, o);
  }

  function check(factors: Factor[], cfg: RiskConfig, candidates: RecourseCandidate[], result: Recourse[]): void {
    const current = tierRank(tierOf(weightedScore(factors), cfg.thresholds));
    if (current === 0 || candidates.length === 0) {
      expect(result).toEqual([]);
      return;
    }
    const lowersWith = (ids: readonly string[]) => tierRank(tierOf(rescored(factors, candidates, ids), cfg.thresholds)) < current;
    for (const r of result) {
      const ids = r.actions.map((a) => a.id);
      expect(r.score).toBe(rescored(factors, candidates, ids));
      expect(r.tier).toBe(tierOf(r.score, cfg.thresholds));
      expect(r.cost).toBe(r.actions.reduce((s, a) => s + a.cost, 0));
    }
    const first = result[0];
    if (first !== undefined && tierRank(first.tier) >= current) {
      // The fallback: one set, tier unchanged, and not even every candidate together lowers the tier.
      expect(result).toHaveLength(1);
      expect(first.tier).toBe(tierOf(weightedScore(factors), cfg.thresholds));
      expect(lowersWith(candidates.map((c) => c.id))).toBe(false);
      return;
    }
    for (const r of result) {
      const ids = r.actions.map((a) => a.id);
      expect(tierRank(r.tier)).toBeLessThan(current);
      for (const drop of ids) expect(lowersWith(ids.filter((id) => id !== drop))).toBe(false); // minimal
      for (const other of result) if (other !== r) expect(other.actions.every((a) => ids.includes(a.id))).toBe(false);
    }
    for (let i = 1; i < result.length; i++) expect((result[i]?.cost ?? 0) >= (result[i - 1]?.cost ?? 0)).toBe(true);
    // The cheapest ones: the same costs and scores as brute force.
    const reference = bruteForce(factors, candidates, cfg);
    expect(result.length).toBe(Math.min(3, reference.length));
    result.forEach((r, i) => {
      expect(r.cost).toBe(reference[i]?.cost);
      expect(r.score).toBe(reference[i]?.score);
    });
  }

  it('exhaustive search: lower tier (or the fallback), minimal, rescoring matches, cheapest', () => {
    fc.assert(
      fc.property(problem(0, 9), ({ factors, cfg, candidates }) => check(factors, cfg, candidates, findRecourse(factors, candidates, cfg))),
      { numRuns: 200, seed: 42 },
    );
  });

  it('best-first search beyond the exhaustive limit: the same guarantees', () => {
    fc.assert(
      fc.property(problem(EXHAUSTIVE_LIMIT + 1, EXHAUSTIVE_LIMIT + 2), ({ factors, cfg, candidates }) => check(factors, cfg, candidates, findRecourse(factors, candidates, cfg))),
      { numRuns: 30, seed: 42 },
    );
  });
});
