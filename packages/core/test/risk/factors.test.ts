/**
 * The factor functions: concrete values for the four fixture changes (fixtures/risk/changes/, at
 * the `now` its README gives), then each factor's formula and absent cases on small evidence.
 * Expected numbers are written as the arithmetic that gives them, from the module comment of
 * packages/core/src/risk/factors.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { testRun } from '@genops/testkit';
import type { ChangeEvidence, Evidence, Finding, ServiceMetadata } from '../../src/evidence/model.js';
import { buildEvidenceStatement } from '../../src/evidence/predicate.js';
import { DEFAULT_RISK_CONFIG, type RiskConfig } from '../../src/risk/config.js';
import { FACTOR_FUNCTIONS, type FactorContext } from '../../src/risk/factors.js';
import { historyPosterior } from '../../src/risk/history.js';
import { FACTOR_NAMES, type FactorName, type HistoryPosterior } from '../../src/risk/model.js';
import { tierOf, weightedScore } from '../../src/risk/score-math.js';
import { validateAgainst } from '../../src/schemas/index.js';

const CHANGES = fileURLToPath(new URL('../../../../fixtures/risk/changes/', import.meta.url));

function loadFixture(name: string): Evidence {
  return JSON.parse(readFileSync(`${CHANGES}${name}.evidence.json`, 'utf8')) as Evidence;
}

/** The README table: fixture -> now, score, tier. */
function readmeTable(): Map<string, { now: string; score: number; tier: string }> {
  const rows = new Map<string, { now: string; score: number; tier: string }>();
  for (const line of readFileSync(`${CHANGES}README.md`, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const file = /^`(.+)\.evidence\.json`$/.exec(cells[1] ?? '');
    const now = /^`(.+)`$/.exec(cells[2] ?? '');
    if (file?.[1] === undefined || now?.[1] === undefined) continue;
    rows.set(file[1], { now: now[1], score: Number(cells[4]), tier: cells[5] ?? '' });
  }
  return rows;
}

function contextFor(e: Evidence, now: string, config: RiskConfig = DEFAULT_RISK_CONFIG): FactorContext {
  return { config, now: new Date(now), history: historyPosterior(e.deployments, config) };
}

/** Does the JSON pointer name a member of the document (its value may be null)? */
function resolves(doc: unknown, pointer: string): boolean {
  if (pointer === '') return true;
  let node: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

const W = DEFAULT_RISK_CONFIG.weights;
const A = DEFAULT_RISK_CONFIG.absentValue;
type Expected = Record<FactorName, number | 'absent'>;

const EXPECTED: Record<string, Expected> = {
  'docs-only': {
    'service-tier': 0.1,
    'service-health': 1 - 0.9,
    'change-history': 2 / 30 / 0.3, // Beta(1 + 1, 9 + 19)
    'blast-radius': 0.4 * 0 + 0.3 * 0 + 0.15 * (1 / 5) + 0.15 * (2 / 8), // docs/ and the root
    'change-complexity': 0.7 * ((30 / 1000 + 2 / 50) / 2),
    timing: 0.1,
    vulnerabilities: 0,
    licenses: 0,
    provenance: 0,
    'new-dependencies': 0,
    'changed-line-coverage': 0, // nothing instrumented, no unmeasured source file
    tests: 0,
    'ai-review': 0.25 * 0.3,
    'genai-eval': 'absent',
  },
  'friday-migration': {
    'service-tier': 1,
    'service-health': 1 - 0.1,
    'change-history': 5 / 30 / 0.3, // Beta(1 + 4, 9 + 16)
    'blast-radius': 0.4 * 1 + 0.3 * 1 + 0.15 * (3 / 5) + 0.15 * (3 / 8),
    'change-complexity': 0.7 * ((400 / 1000 + 4 / 50) / 2) + 0.3,
    timing: 0.9,
    vulnerabilities: 0.25,
    licenses: 0,
    provenance: 0,
    'new-dependencies': 0,
    'changed-line-coverage': 1 - 45 / 60,
    tests: (5 * 1) / 250,
    'ai-review': 0.5 * 0.3,
    'genai-eval': 'absent',
  },
  'ai-no-review': {
    'service-tier': 0.7,
    'service-health': 'absent', // Backstage metadata has no SLOs
    'change-history': 3 / 40 / 0.3, // Beta(1 + 2, 9 + 28)
    'blast-radius': 0.4 * (3 / 10) + 0.3 * 0 + 0.15 * (2 / 5) + 0.15 * (2 / 8),
    'change-complexity': 0.7 * ((220 / 1000 + 6 / 50) / 2),
    timing: 0.1,
    vulnerabilities: 0,
    licenses: 'absent',
    provenance: 'absent',
    'new-dependencies': 'absent',
    'changed-line-coverage': 1 - 90 / 150,
    tests: 0,
    'ai-review': 1,
    'genai-eval': 'absent',
  },
  'vulnerable-bump': {
    'service-tier': 0.7,
    'service-health': 1 - 0.7,
    'change-history': 3 / 50 / 0.3, // Beta(1 + 2, 9 + 38)
    'blast-radius': 0.4 * (4 / 10) + 0.3 * 0 + 0.15 * (1 / 5) + 0.15 * (1 / 8),
    'change-complexity': 0.7 * ((82 / 1000 + 2 / 50) / 2),
    timing: 0.1,
    vulnerabilities: 1, // the critical one; the VEX-suppressed low does not count
    licenses: 0,
    provenance: 0,
    'new-dependencies': Math.log(3) / Math.log(21),
    'changed-line-coverage': 0,
    tests: 0,
    'ai-review': 0.25 * 0.3,
    'genai-eval': 'absent',
  },
};

/** Σ w·v / Σ w with the expected values (absent ones at absentValue), for the README table. */
function expectedScore(expected: Expected): number {
  let sum = 0;
  let total = 0;
  for (const name of FACTOR_NAMES) {
    const v = expected[name];
    sum += W[name] * (v === 'absent' ? A : v);
    total += W[name];
  }
  return sum / total;
}

describe('fixture changes', () => {
  const table = readmeTable();

  it('the README lists every fixture with a now, a score and a tier', () => {
    expect([...table.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const row of table.values()) expect(Number.isNaN(new Date(row.now).getTime())).toBe(false);
  });

  describe.each(Object.keys(EXPECTED))('%s', (name) => {
    const evidence = loadFixture(name);
    const row = table.get(name);
    const ctx = contextFor(evidence, row?.now ?? '');
    const expected = EXPECTED[name] as Expected;

    it('is a valid evidence predicate', () => {
      const st = buildEvidenceStatement({ repository: 'acme/shop', gitCommit: 'c'.repeat(40) }, { toolVersion: '0.1.0', run: testRun(), now: new Date('2026-03-09T12:00:00Z'), ttlSeconds: 3600 }, evidence);
      expect(validateAgainst('evidence', st.predicate)).toEqual([]);
    });

    it.each(FACTOR_NAMES)('%s has its expected value', (factor) => {
      const v = FACTOR_FUNCTIONS[factor](evidence, ctx);
      const want = expected[factor];
      if (want === 'absent') {
        expect(v.absent).toBe(true);
        expect(v.value).toBe(A);
        expect(v.reason).toMatch(/ absent: /);
      } else {
        expect(v.absent).toBeUndefined();
        expect(Math.abs(v.value - want)).toBeLessThan(1e-9);
      }
      // One line, citing the value it gives; every pointer names a member of the evidence.
      expect(v.reason).not.toMatch(/[\r\n]/);
      expect(v.reason).toContain(String(Math.round(v.value * 1000) / 1000));
      expect(v.evidence.length).toBeGreaterThan(0);
      for (const p of v.evidence) expect(resolves(evidence, p)).toBe(true);
    });

    it('scores the README score and tier with the default weights', () => {
      const score = weightedScore(FACTOR_NAMES.map((f) => ({ name: f, value: FACTOR_FUNCTIONS[f](evidence, ctx).value, weight: W[f] })));
      expect(Math.abs(score - expectedScore(expected))).toBeLessThan(1e-9);
      expect(Math.abs(score - (row?.score ?? NaN))).toBeLessThan(5e-5);
      expect(tierOf(score, DEFAULT_RISK_CONFIG.thresholds)).toBe(row?.tier);
    });
  });

  it('reasons cite the evidence: a few in full', () => {
    const fri = loadFixture('friday-migration');
    const ctx = contextFor(fri, table.get('friday-migration')?.now ?? '');
    expect(FACTOR_FUNCTIONS.timing(fri, ctx).reason).toBe('Fri 2026-03-13 17:30 +01:00 in Europe/Berlin: Friday afternoon (from 16:00), also out of hours (0.9)');
    expect(FACTOR_FUNCTIONS['change-history'](fri, ctx).reason).toBe(
      'posterior failure rate 0.167 (90% interval 0.07-0.288) from 4 failed of 20 finished deployments to "production", prior Beta(1, 9); 0.556 of the 30% saturation',
    );
    expect(FACTOR_FUNCTIONS['blast-radius'](fri, ctx).reason).toBe(
      '12 dependents (1), 3 CODEOWNERS owners (0.6), 3 top-level components (0.375), 1 migration file (1): weighted 0.846',
    );
    const vb = loadFixture('vulnerable-bump');
    expect(FACTOR_FUNCTIONS.vulnerabilities(vb, contextFor(vb, '2026-03-10T11:00:00Z')).reason).toBe(
      '1 open finding: 1 critical (1 with a fix), 1 suppressed by VEX, 1 in components this change adds or moves; worst "CVE-2026-00002" in "@docfmt/xml-doc@4.2.0": 1',
    );
    const ai = loadFixture('ai-no-review');
    expect(FACTOR_FUNCTIONS['ai-review'](ai, contextFor(ai, '2026-03-11T18:00:00Z')).reason).toBe('AI share 100% (agent "copilot-swe-agent[bot]"), no human approval: 1');
  });
});

// ---------------------------------------------------------------------------------------------
// Formulas on small evidence

const NOW = '2026-03-10T10:00:00Z'; // a Tuesday, working hours in UTC

function emptyEvidence(): Evidence {
  return { sources: [], absent: [], sbom: null, sbomDiff: null, vulnerabilities: null, vex: null, tests: null, coverage: null, provenance: null, eval: null, telemetry: null, service: null, change: null, deployments: null };
}

function service(over: Partial<ServiceMetadata> = {}): ServiceMetadata {
  return { source: 'genops', app: 'svc', owner: '@acme/team', slos: [], dependents: [], freezeWindows: [], ...over };
}

function change(over: Partial<ChangeEvidence> = {}): ChangeEvidence {
  return {
    source: 'github',
    labels: [],
    files: [],
    totals: { files: 0, additions: 0, deletions: 0 },
    categories: {},
    reviews: [],
    approvals: { human: 0, bot: 0, codeOwner: 0, changesRequested: 0 },
    codeowners: { file: null, ownedFiles: 0, unownedFiles: [], owners: [] },
    ai: { agentAuthor: null, coAuthors: [], aiCommits: 0, commits: 1, share: 0 },
    ...over,
  };
}

function finding(over: Partial<Finding>): Finding {
  return { id: 'CVE-1', aliases: [], kind: 'dependency', tools: ['grype'], severity: 'high', fixedIn: [], fixAvailable: false, locations: [], suppressed: false, ...over };
}

function run(factor: FactorName, over: Partial<Evidence>, ctx: Partial<FactorContext> = {}): ReturnType<(typeof FACTOR_FUNCTIONS)[FactorName]> {
  return FACTOR_FUNCTIONS[factor]({ ...emptyEvidence(), ...over }, { config: DEFAULT_RISK_CONFIG, now: new Date(NOW), history: null, ...ctx });
}

describe('factor functions', () => {
  it('FACTOR_FUNCTIONS has exactly one function per factor name', () => {
    expect(Object.keys(FACTOR_FUNCTIONS).sort()).toEqual([...FACTOR_NAMES].sort());
  });

  it.each(FACTOR_NAMES.filter((f) => f !== 'timing'))('%s is absent (absentValue) on empty evidence', (factor) => {
    const v = run(factor, {}, { config: { ...DEFAULT_RISK_CONFIG, absentValue: 0.65 } });
    expect(v).toMatchObject({ value: 0.65, absent: true });
    expect(v.reason).toMatch(/ absent: .*scored 0\.65/);
  });

  it('timing is not absent without service metadata: default timezone, and it says so', () => {
    const v = run('timing', {}, { now: new Date('2026-03-14T10:00:00Z') });
    expect(v.absent).toBeUndefined();
    expect(v.value).toBe(0.8);
    expect(v.reason).toBe('Sat 2026-03-14 10:00 +00:00 in UTC: weekend (0.8); no service metadata: default timezone, no freeze windows');
    expect(v.evidence).toEqual([]);
  });

  it('timing names the freeze window and an invalid timezone', () => {
    const svc = service({ timezone: 'Mars/Base', freezeWindows: [{ start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z', reason: 'Migration\nweek' }] });
    const v = run('timing', { service: svc });
    expect(v.value).toBe(1);
    expect(v.reason).toBe(
      'Tue 2026-03-10 10:00 +00:00 in UTC: in freeze window "2026-03-01T00:00:00Z" to "2026-04-01T00:00:00Z" ("Migration\\nweek") (1); timezone "Mars/Base" is not an IANA zone: UTC used',
    );
  });

  it('timing of an invalid date is absent', () => {
    expect(run('timing', { service: service() }, { now: new Date(Number.NaN) })).toMatchObject({ value: A, absent: true });
  });

  it('service-tier maps the tier through config.serviceTier; no tier is absent', () => {
    expect(run('service-tier', { service: service({ tier: 'medium' }) }).value).toBe(0.4);
    expect(run('service-tier', { service: service() })).toMatchObject({ value: A, absent: true, evidence: ['/service/tier'] });
    // Not a tier the schema allows, but never an undefined value.
    expect(run('service-tier', { service: service({ tier: 'toString' as 'low' }) })).toMatchObject({ value: A, absent: true });
  });

  it('service-health takes the worst SLO with a budget; overspent is 1; SLOs without a budget do not count', () => {
    const slos = [
      { name: 'a', objective: 99.9, errorBudgetRemaining: 0.8 },
      { name: 'b', objective: 99, errorBudgetRemaining: 0.25 },
      { name: 'c', objective: 99 },
    ];
    const v = run('service-health', { service: service({ slos }) });
    expect(v.value).toBeCloseTo(0.75, 12);
    expect(v.evidence).toEqual(['/service/slos/1/errorBudgetRemaining']);
    expect(run('service-health', { service: service({ slos: [{ name: 'x', objective: 99, errorBudgetRemaining: -0.4 }] }) }).value).toBe(1);
    expect(run('service-health', { service: service({ slos: [{ name: 'x', objective: 99, errorBudgetRemaining: 1 }] }) }).value).toBe(0);
    expect(run('service-health', { service: service({ slos: [{ name: 'c', objective: 99 }] }) }).absent).toBe(true);
  });

  it('change-history is the posterior mean over the saturation, capped at 1', () => {
    const h = (mean: number): HistoryPosterior => ({ successes: 1, failures: 1, prior: { alpha: 1, beta: 9 }, posterior: { alpha: 2, beta: 10 }, mean, interval: [0, 1], level: 0.9 });
    expect(run('change-history', {}, { history: h(0.15) }).value).toBeCloseTo(0.5, 12);
    expect(run('change-history', {}, { history: h(0.6) }).value).toBe(1);
  });

  it('blast-radius: shared config counts half a migration; a missing service takes absentValue for dependents', () => {
    const files = [
      { path: 'config/app.yaml', status: 'modified', additions: 1, deletions: 1, owners: [], categories: ['config'] },
      { path: 'src/a.ts', status: 'modified', additions: 1, deletions: 1, owners: [], categories: [] },
    ];
    const c = change({ files, categories: { config: 1, migration: 0 }, codeowners: { file: null, ownedFiles: 0, unownedFiles: [], owners: ['@a', '@b', '@c', '@d', '@e', '@f'] } });
    const v = run('blast-radius', { change: c });
    expect(v.absent).toBeUndefined();
    expect(v.value).toBeCloseTo(0.4 * A + 0.3 * 0.5 + 0.15 * 1 + 0.15 * (2 / 8), 12);
    expect(v.reason).toContain('dependents unknown (0.5)');
    const withService = run('blast-radius', { service: service({ dependents: ['x', 'y'] }) });
    expect(withService.value).toBeCloseTo(0.4 * (2 / 10) + 0.3 * A + 0.15 * A + 0.15 * A, 12);
  });

  it('change-complexity: infra counts as structural; size saturates at config.complexity', () => {
    const v = run('change-complexity', { change: change({ totals: { files: 100, additions: 4000, deletions: 10 }, categories: { infra: 2 } }) });
    expect(v.value).toBeCloseTo(1, 12);
    expect(v.reason).toBe('4010 changed lines in 100 files (size 1), 2 infra files: 1');
  });

  it('vulnerabilities combine as a noisy-or; no fix counts 0.8 below critical; suppressed ones do not count', () => {
    const findings = [
      finding({ severity: 'high', fixAvailable: true }),
      finding({ id: 'CVE-2', severity: 'medium', fixAvailable: false }),
      finding({ id: 'CVE-3', severity: 'medium', fixAvailable: false }),
      finding({ id: 'CVE-4', severity: 'critical', suppressed: true, vex: { status: 'not_affected', source: 'vex.json' } }),
    ];
    const totals = { critical: 0, high: 1, medium: 2, low: 0, none: 0, unknown: 0 };
    const v = run('vulnerabilities', { vulnerabilities: { findings, totals, suppressed: 1 } });
    expect(v.value).toBeCloseTo(1 - (1 - 0.6) * (1 - 0.25 * 0.8) ** 2, 12);
    expect(v.reason).toBe('3 open findings: 1 high (1 with a fix), 2 medium (0 with a fix), 1 suppressed by VEX; worst "CVE-1": 0.744');
    expect(v.evidence).toEqual(['/vulnerabilities/totals', '/vulnerabilities/findings/0']);
    // A critical without a fix still dominates.
    expect(run('vulnerabilities', { vulnerabilities: { findings: [finding({ severity: 'critical' })], totals, suppressed: 0 } }).value).toBe(1);
    expect(run('vulnerabilities', { vulnerabilities: { findings: [finding({ severity: 'unknown', fixAvailable: true })], totals, suppressed: 0 } }).value).toBe(0.25);
    expect(run('vulnerabilities', { vulnerabilities: { findings: [], totals, suppressed: 0 } }).value).toBe(0);
  });

  describe('licenses', () => {
    const sbomWith = (licenses: string[][]): Evidence['sbom'] => ({
      standard: 'cyclonedx',
      specVersion: '1.6',
      components: licenses.map((l, i) => ({ name: `c${String(i)}`, licenses: l, scope: 'direct' as const })),
      totals: { components: licenses.length, direct: licenses.length, transitive: 0, unknownScope: 0, withoutLicense: 0 },
    });
    it.each([
      [['MIT'], 0],
      [['AGPL-3.0-only'], 1],
      [['agpl-3.0-or-later'], 1], // case-insensitive
      [['MIT OR AGPL-3.0-only'], 0], // we may choose MIT
      [['MIT AND GPL-3.0-or-later'], 0.5],
      [['(Apache-2.0 OR SSPL-1.0) AND LGPL-2.1-only'], 0.5],
      [['GPL-2.0+'], 0.5],
      [['GPL-2.0-only WITH Classpath-exception-2.0'], 0.5],
      [['MIT', 'SSPL-1.0'], 1], // several licenses on one component all apply
      [['LicenseRef-acme-proprietary'], 0],
      [['Some Custom License'], 0], // not SPDX: matched as written
      [['CC-BY-NC-4.0'], 1],
    ])('%j -> %d', (licenses, value) => {
      expect(run('licenses', { sbom: sbomWith([licenses]) }).value).toBe(value);
    });

    it('a license change is 0.2, or its new license verdict when worse; without an SBOM, added components are judged', () => {
      const diff = { added: [], removed: [], upgraded: [], downgraded: [], changed: [], licenseChanged: [{ key: 'k', name: 'k', licensesFrom: ['MIT'], licensesTo: ['Apache-2.0'], scope: 'direct' as const }] };
      expect(run('licenses', { sbom: sbomWith([['Apache-2.0']]), sbomDiff: diff }).value).toBe(0.2);
      const toGpl = { ...diff, licenseChanged: [{ key: 'k', name: 'k', licensesFrom: ['MIT'], licensesTo: ['GPL-3.0-only'], scope: 'direct' as const }] };
      expect(run('licenses', { sbomDiff: toGpl }).value).toBe(0.5);
      const added = { ...diff, licenseChanged: [], added: [{ key: 'a', name: 'a', to: '1.0.0', licensesTo: ['AGPL-3.0-only'], scope: 'direct' as const }] };
      const v = run('licenses', { sbomDiff: added });
      expect(v.value).toBe(1);
      expect(v.reason).toBe('1 component under a denied license, 0 under a license to review, 0 license changes; worst "a" ("AGPL-3.0-only"): 1');
    });

    it('the deny and review lists come from the configuration', () => {
      const config = { ...DEFAULT_RISK_CONFIG, licenses: { deny: ['MIT'], review: [] } };
      expect(run('licenses', { sbom: sbomWith([['MIT']]) }, { config }).value).toBe(1);
      expect(run('licenses', { sbom: sbomWith([['AGPL-3.0-only']]) }, { config }).value).toBe(0);
    });
  });

  it('provenance: any unverified record is 1, all verified 0, no records absent', () => {
    const rec = (verified: boolean): NonNullable<Evidence['provenance']>['artifacts'][number] => ({ bundle: 'b.json', subjects: [{ name: 'app.tgz' }], verified, ...(verified ? {} : { reason: 'SIGNATURE_INVALID: bad' }) });
    const v = run('provenance', { provenance: { artifacts: [rec(true), rec(false)], verified: 1, unverified: 1 } });
    expect(v).toMatchObject({ value: 1, evidence: ['/provenance/unverified', '/provenance/artifacts/1'] });
    expect(v.reason).toBe('1 of 2 provenance records not verified; first "b.json": "SIGNATURE_INVALID: bad": 1');
    expect(run('provenance', { provenance: { artifacts: [rec(true)], verified: 1, unverified: 0 } }).value).toBe(0);
    expect(run('provenance', { provenance: { artifacts: [], verified: 0, unverified: 0 } }).absent).toBe(true);
  });

  it('new-dependencies: log-saturating in added components, 0.5 per downgrade', () => {
    const c = (i: number): NonNullable<Evidence['sbomDiff']>['added'][number] => ({ key: `k${String(i)}`, name: `n${String(i)}`, to: '1.0.0', scope: 'transitive' });
    const diff = (added: number, downgraded: number): Evidence['sbomDiff'] => ({
      added: Array.from({ length: added }, (_, i) => c(i)),
      removed: [],
      upgraded: [],
      downgraded: Array.from({ length: downgraded }, (_, i) => ({ ...c(i), from: '2.0.0' })),
      changed: [],
      licenseChanged: [],
    });
    expect(run('new-dependencies', { sbomDiff: diff(1, 0) }).value).toBeCloseTo(Math.log(2) / Math.log(21), 12);
    expect(run('new-dependencies', { sbomDiff: diff(20, 0) }).value).toBeCloseTo(1, 12);
    expect(run('new-dependencies', { sbomDiff: diff(45, 0) }).value).toBe(1);
    expect(run('new-dependencies', { sbomDiff: diff(0, 1) }).value).toBe(0.5);
    expect(run('new-dependencies', { sbomDiff: diff(1, 3) }).value).toBe(1);
    expect(run('new-dependencies', { sbomDiff: diff(0, 0) }).value).toBe(0);
  });

  it('changed-line-coverage: 1 - ratio; nothing instrumented is 0 unless source files were never loaded', () => {
    const coverage = (changedLines: NonNullable<Evidence['coverage']>['changedLines']): Evidence['coverage'] => ({ lines: { covered: 1, total: 1, ratio: 1 }, files: 1, changedLines });
    expect(run('changed-line-coverage', { coverage: coverage({ covered: 3, total: 12, ratio: 0.25, notInstrumented: 0, uncovered: [] }) }).value).toBe(0.75);
    expect(run('changed-line-coverage', { coverage: coverage({ covered: 0, total: 0, ratio: null, notInstrumented: 9, uncovered: [] }) }).value).toBe(0);
    const unloaded = run('changed-line-coverage', { coverage: coverage({ covered: 0, total: 0, ratio: null, notInstrumented: 9, uncovered: [], unmeasuredFiles: ['src/new.ts'] }) });
    expect(unloaded).toMatchObject({ value: 1 });
    expect(unloaded.reason).toBe('no changed line is instrumented (9 not instrumented), 1 changed source file never loaded by the tests: 1');
    expect(run('changed-line-coverage', { coverage: coverage(null) })).toMatchObject({ value: A, absent: true, evidence: ['/coverage/changedLines'] });
  });

  it('tests: any failure is 1; flakiness min(0.5, 5 * share); no tests is absent', () => {
    const t = (over: Partial<NonNullable<Evidence['tests']>>): Evidence['tests'] => ({ total: 100, passed: 100, failed: 0, errored: 0, skipped: 0, flaky: 0, suites: 1, failures: [], flakyTests: [], ...over });
    expect(run('tests', { tests: t({ errored: 1, passed: 99 }) }).value).toBe(1);
    const failed = run('tests', { tests: t({ failed: 2, passed: 98, failures: [{ suite: 'orders', name: 'refunds' }] }) });
    expect(failed.reason).toBe('2 failed and 0 errored of 100 tests; first "orders > refunds": 1');
    expect(run('tests', { tests: t({ flaky: 1 }) }).value).toBeCloseTo(0.05, 12);
    expect(run('tests', { tests: t({ flaky: 30 }) }).value).toBe(0.5);
    expect(run('tests', { tests: t({ total: 0, passed: 0 }) }).absent).toBe(true);
  });

  it.each([
    ['agent, share 1, no approval', { agentAuthor: 'copilot-swe-agent[bot]', share: 1, commits: 3 }, { human: 0, codeOwner: 0, changesRequested: 0 }, 1],
    ['agent, share 1, one human', { agentAuthor: 'copilot-swe-agent[bot]', share: 1, commits: 3 }, { human: 1, codeOwner: 0, changesRequested: 0 }, 0.5],
    ['agent, share 1, a code owner', { agentAuthor: 'copilot-swe-agent[bot]', share: 1, commits: 3 }, { human: 1, codeOwner: 1, changesRequested: 0 }, 0.25],
    ['agent, commits unknown', { agentAuthor: 'Copilot', share: 0, commits: 0 }, { human: 0, codeOwner: 0, changesRequested: 0 }, 1],
    ['half AI, one human', { agentAuthor: null, share: 0.5, commits: 4 }, { human: 1, codeOwner: 0, changesRequested: 0 }, 0.5 * (0.3 + 0.7 * 0.5)],
    ['human, no approval', { agentAuthor: null, share: 0, commits: 2 }, { human: 0, codeOwner: 0, changesRequested: 0 }, 0.3],
    ['human, code owner, change requested', { agentAuthor: null, share: 0, commits: 2 }, { human: 2, codeOwner: 1, changesRequested: 1 }, 0.5 * 0.3],
  ])('ai-review: %s', (_label, ai, approvals, value) => {
    const c = change({ ai: { coAuthors: [], aiCommits: 0, ...ai }, approvals: { bot: 0, ...approvals } });
    expect(run('ai-review', { change: c }).value).toBeCloseTo(value, 12);
  });

  it('ai-review of a change read from a diff is absent: no reviews or authors are known', () => {
    expect(run('ai-review', { change: change({ source: 'diff' }) })).toMatchObject({ value: A, absent: true, evidence: ['/change/source'] });
  });

  describe('genai-eval', () => {
    const ev = (over: Partial<NonNullable<Evidence['eval']>>): Evidence['eval'] => ({
      tests: 40,
      passed: 38,
      failed: 2,
      errors: 0,
      passRate: 0.95,
      meanScore: 0.9,
      assertions: [],
      tokens: { prompt: 100, completion: 50, total: 150 },
      cost: 0.4,
      costPerRequest: 0.01,
      providers: ['openai:gpt-4o-mini'],
      injection: null,
      ...over,
    });
    const tel = (over: Partial<NonNullable<Evidence['telemetry']>>): Evidence['telemetry'] => ({
      spans: 30,
      llmCalls: 10,
      toolCalls: 12,
      models: ['gpt-4o'],
      tokens: { prompt: 1000, completion: 400, total: 1400 },
      cost: 0.1,
      maxConsecutiveToolCalls: 4,
      contextWindowUse: 0.3,
      promptCompletionRatio: 2.5,
      ...over,
    });

    it('all fine is 0, with the numbers', () => {
      const v = run('genai-eval', { eval: ev({ injection: { total: 10, blocked: 10, passed: true } }), telemetry: tel({}) });
      expect(v.value).toBe(0);
      expect(v.reason).toBe(
        'eval pass rate 95%, injection suite passed, eval cost per request 0.01 vs 0.01 per traced model call (+0%), longest tool-call run 4, context window use 0.3, prompt:completion ratio 2.5: no regression (0)',
      );
      expect(v.evidence).toEqual(['/eval', '/telemetry']);
    });

    it('pass rate below the minimum rises linearly to 1 at 0 %', () => {
      expect(run('genai-eval', { eval: ev({ passRate: 0.425 }) }).value).toBeCloseTo(0.5, 12);
      expect(run('genai-eval', { eval: ev({ passRate: 0 }) }).value).toBe(1);
      expect(run('genai-eval', { eval: ev({ passRate: null }) }).value).toBe(A);
    });

    it('a failed injection suite is 1', () => {
      const v = run('genai-eval', { eval: ev({ injection: { total: 10, blocked: 7, passed: false } }) });
      expect(v).toMatchObject({ value: 1, evidence: ['/eval/injection'] });
    });

    it('over-limit signals: 0.5 when crossed, 1 at twice the limit (a full window for context)', () => {
      expect(run('genai-eval', { telemetry: tel({ maxConsecutiveToolCalls: 15 }) }).value).toBeCloseTo(0.75, 12);
      expect(run('genai-eval', { telemetry: tel({ maxConsecutiveToolCalls: 10 }) }).value).toBe(0);
      expect(run('genai-eval', { telemetry: tel({ contextWindowUse: 0.95 }) }).value).toBeCloseTo(0.75, 12);
      expect(run('genai-eval', { telemetry: tel({ contextWindowUse: 1.3 }) }).value).toBe(1);
      expect(run('genai-eval', { telemetry: tel({ promptCompletionRatio: 7.5 }) }).value).toBeCloseTo(0.75, 12);
      // Eval cost per request 0.0175 vs 0.1 / 10 = 0.01 per traced call: +75 % over a +50 % spike.
      const spike = run('genai-eval', { eval: ev({ costPerRequest: 0.0175 }), telemetry: tel({}) });
      expect(spike.value).toBeCloseTo(0.75, 12);
      expect(spike.reason).toBe('eval cost per request 0.018 vs 0.01 per traced model call (+75%) over +50% (0.75): 0.75');
    });

    it('takes the worst signal and lists them all', () => {
      const v = run('genai-eval', { eval: ev({ passRate: 0.425 }), telemetry: tel({ maxConsecutiveToolCalls: 15 }) });
      expect(v.value).toBeCloseTo(0.75, 12);
      expect(v.reason).toBe('longest tool-call run 15 over 10 (0.75), eval pass rate 42.5% below 85% (0.5): 0.75');
      expect(v.evidence).toEqual(['/telemetry/maxConsecutiveToolCalls', '/eval/passRate']);
    });
  });

  it('reasons stay on one line whatever the evidence names are', () => {
    const hostile = 'line1\nline2\r\n| `x` <b>';
    const e: Partial<Evidence> = {
      service: service({ app: hostile, tier: 'low', slos: [{ name: hostile, objective: 99, errorBudgetRemaining: 0.5 }] }),
      tests: { total: 1, passed: 0, failed: 1, errored: 0, skipped: 0, flaky: 0, suites: 1, failures: [{ suite: hostile, name: hostile }], flakyTests: [] },
      deployments: { environment: hostile, deployments: [], counts: {} },
    };
    const full = { ...emptyEvidence(), ...e };
    for (const f of FACTOR_NAMES) {
      const v = FACTOR_FUNCTIONS[f](full, { config: DEFAULT_RISK_CONFIG, now: new Date(NOW), history: historyPosterior(full.deployments, DEFAULT_RISK_CONFIG) });
      expect(v.reason).not.toMatch(/[\r\n]/);
    }
  });
});
