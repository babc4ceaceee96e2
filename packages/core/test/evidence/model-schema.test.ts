/**
 * The Evidence model (model.ts) and its JSON Schema (evidence.schema.json) in step: an Evidence
 * with EVERY field set, optional ones included, must pass the schema. `Full<T>` makes every
 * optional field required and non-null, so adding a field to the model without filling it here
 * is a type error, and filling it without the schema allowing it fails this test.
 */
import { describe, expect, it } from '@jest/globals';
import { buildEvidenceStatement } from '../../src/evidence/predicate.js';
import type { Evidence } from '../../src/evidence/model.js';
import { PREDICATE_SCHEMAS, PredicateTypes } from '../../src/artifact/statement.js';
import { validateAgainst } from '../../src/schemas/index.js';
import { testRun } from '@genops/testkit';

type Full<T> = T extends readonly (infer U)[] ? (number extends T['length'] ? Full<U>[] : T) : T extends object ? { [K in keyof T]-?: Full<Exclude<T[K], undefined | null>> } : T;

const SHA = 'a'.repeat(64);
const change = { key: 'pkg:npm/a', name: 'a', purl: 'pkg:npm/a@1.0.0', from: '1.0.0', to: '2.0.0', licensesFrom: ['MIT'], licensesTo: ['Apache-2.0'], scope: 'direct' as const };
const ratio = { covered: 1, total: 2, ratio: 0.5 };

const full: Full<Evidence> = {
  sources: [{ kind: 'sbom', path: 'sbom.json', sha256: SHA, size: 10, format: 'cyclonedx-json@1.6', parser: { name: 'genops/cyclonedx', version: '0.1.0' }, warnings: ['w'], warningsTruncated: 1 }],
  absent: ['provenance'],
  sbom: {
    standard: 'cyclonedx',
    specVersion: '1.6',
    root: { name: 'app', version: '1.0.0', purl: 'pkg:npm/app@1.0.0' },
    schemaValid: true,
    components: [{ purl: 'pkg:npm/a@1.0.0', name: 'a', group: '@x', version: '1.0.0', licenses: ['MIT'], hashes: { 'sha-512': 'ab' }, scope: 'direct', type: 'library' }],
    totals: { components: 1, direct: 1, transitive: 0, unknownScope: 0, withoutLicense: 0 },
  },
  sbomDiff: { added: [change], removed: [change], upgraded: [change], downgraded: [change], changed: [change], licenseChanged: [change] },
  vulnerabilities: {
    findings: [
      {
        id: 'CVE-2024-1',
        aliases: ['GHSA-xxxx-xxxx-xxxx'],
        kind: 'dependency',
        tools: ['grype'],
        severity: 'high',
        cvss: { score: 7.5, vector: 'CVSS:3.1/AV:N', version: '3.1' },
        purl: 'pkg:npm/a@1.0.0',
        package: { name: 'a', version: '1.0.0', ecosystem: 'npm' },
        fixedIn: ['1.0.1'],
        fixAvailable: true,
        title: 'bad',
        rule: 'r',
        locations: [{ path: 'package-lock.json', startLine: 1, endLine: 2, startColumn: 1, endColumn: 3 }],
        vex: { status: 'not_affected', justification: 'component_not_present', source: 'vex.json' },
        suppressed: true,
      },
    ],
    totals: { critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 },
    suppressed: 1,
  },
  vex: { statements: [{ vulnerability: 'CVE-2024-1', aliases: [], products: ['pkg:npm/a'], status: 'fixed', justification: 'j', impact: 'i', actionStatement: 'a', source: 'vex.json', timestamp: '2026-01-01T00:00:00Z' }] },
  tests: {
    total: 2,
    passed: 1,
    failed: 1,
    errored: 0,
    skipped: 0,
    flaky: 1,
    suites: 1,
    durationSeconds: 1.5,
    failures: [{ suite: 's', name: 'n', message: 'm', file: 'a.ts', line: 3 }],
    flakyTests: [{ suite: 's', name: 'f', attempts: 2 }],
  },
  coverage: { lines: ratio, branches: ratio, files: 1, changedLines: { ...ratio, notInstrumented: 0, uncovered: [{ path: 'a.ts', ranges: [[1, 2]] }], unmeasuredFiles: ['b.ts'] } },
  provenance: {
    artifacts: [
      {
        bundle: 'b.sigstore.json',
        subjects: [{ name: 'app.tgz', sha256: SHA }],
        predicateType: 'https://slsa.dev/provenance/v1',
        builder: 'https://github.com/actions/runner/github-hosted',
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        sourceRepository: 'https://github.com/acme/app',
        sourceRef: 'refs/heads/main',
        signer: 'key abc',
        verified: false,
        reason: 'BUILDER_MISMATCH: x',
      },
    ],
    verified: 0,
    unverified: 1,
  },
  eval: {
    tests: 2,
    passed: 1,
    failed: 1,
    errors: 0,
    passRate: 0.5,
    meanScore: 0.7,
    assertions: [{ type: 'llm-rubric', metric: 'quality', passed: 1, failed: 1, meanScore: 0.7 }],
    tokens: { prompt: 10, completion: 5, total: 15 },
    cost: 0.01,
    costPerRequest: 0.005,
    providers: ['openai:gpt-4o-mini'],
    injection: { total: 2, blocked: 2, passed: true },
  },
  telemetry: {
    spans: 3,
    llmCalls: 1,
    toolCalls: 2,
    models: ['gpt-4o'],
    tokens: { prompt: 10, completion: 5, total: 15 },
    cost: 0.01,
    maxConsecutiveToolCalls: 2,
    maxConsecutiveToolCallsTrace: 'abc',
    contextWindowUse: 0.1,
    promptCompletionRatio: 2,
  },
  service: {
    source: 'genops',
    app: 'app',
    environment: 'production',
    owner: '@acme/team',
    costCenter: 'cc-1',
    tier: 'critical',
    timezone: 'Europe/Berlin',
    slos: [{ name: 'availability', objective: 0.999, window: '30d', errorBudgetRemaining: 0.5 }],
    dependents: ['web'],
    freezeWindows: [{ start: '2026-12-24T00:00:00Z', end: '2026-12-27T00:00:00Z', reason: 'holidays' }],
  },
  change: {
    source: 'github',
    pullRequest: { number: 1, title: 't', draft: false, baseRef: 'main', headRef: 'f', url: 'https://github.com/acme/app/pull/1' },
    author: { login: 'dev', type: 'User', association: 'MEMBER' },
    labels: ['l'],
    files: [{ path: 'a.ts', previousPath: 'b.ts', status: 'renamed', additions: 1, deletions: 0, owners: ['@acme/team'], categories: ['config'] }],
    totals: { files: 1, additions: 1, deletions: 0 },
    categories: { config: 1 },
    reviews: [{ reviewer: 'rev', state: 'APPROVED', isBot: false, isCodeOwner: true, submittedAt: '2026-01-01T00:00:00Z', onHead: true }],
    approvals: { human: 1, bot: 0, codeOwner: 1, changesRequested: 0 },
    codeowners: { file: '.github/CODEOWNERS', ownedFiles: 1, unownedFiles: [], owners: ['@acme/team'] },
    ai: { agentAuthor: 'copilot-swe-agent[bot]', coAuthors: ['Claude'], aiCommits: 1, commits: 2, share: 0.5 },
    identifiers: ['acquireConnection', 'MAX_POOL_SIZE'],
  },
  deployments: {
    environment: 'production',
    deployments: [{ id: 1, sha: 'b'.repeat(40), ref: 'main', environment: 'production', createdAt: '2026-01-01T00:00:00Z', state: 'success', finishedAt: '2026-01-01T00:05:00Z', creator: 'bot' }],
    counts: { success: 1 },
  },
};

describe('evidence model and schema', () => {
  it('the evidence predicate type has its schema registered', () => {
    expect(PREDICATE_SCHEMAS[PredicateTypes.evidence]).toBe('evidence');
  });

  it('accept an Evidence with every field set', () => {
    const st = buildEvidenceStatement({ repository: 'acme/app', gitCommit: 'c'.repeat(40) }, { toolVersion: '0.1.0', run: testRun(), now: new Date('2026-01-01T00:00:00Z'), ttlSeconds: 60 }, full);
    expect(validateAgainst('evidence', st.predicate)).toEqual([]);
  });

  it('accept an Evidence with every section absent', () => {
    const empty: Evidence = { sources: [], absent: [], sbom: null, sbomDiff: null, vulnerabilities: null, vex: null, tests: null, coverage: null, provenance: null, eval: null, telemetry: null, service: null, change: null, deployments: null };
    const st = buildEvidenceStatement({ repository: 'acme/app', gitCommit: 'c'.repeat(40) }, { toolVersion: '0.1.0', run: testRun(), now: new Date('2026-01-01T00:00:00Z'), ttlSeconds: 60 }, empty);
    expect(validateAgainst('evidence', st.predicate)).toEqual([]);
  });

  it.each([
    ['an unknown top-level field', (p: Record<string, unknown>) => ({ ...p, extra: 1 })],
    ['a missing section', (p: Record<string, unknown>) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'sbom'))],
    ['an unknown severity', (p: Record<string, unknown>) => ({ ...p, vulnerabilities: { ...full.vulnerabilities, findings: [{ ...full.vulnerabilities.findings[0], severity: 'severe' }] } })],
    ['a coverage ratio above 1', (p: Record<string, unknown>) => ({ ...p, coverage: { ...full.coverage, lines: { covered: 3, total: 2, ratio: 1.5 } } })],
    ['a source without its digest', (p: Record<string, unknown>) => ({ ...p, sources: [{ ...full.sources[0], sha256: 'nope' }] })],
    ['more than 200 change identifiers', (p: Record<string, unknown>) => ({ ...p, change: { ...full.change, identifiers: Array.from({ length: 201 }, (_, i) => `id${String(i)}`) } })],
  ])('reject %s', (_name, mutate) => {
    const st = buildEvidenceStatement({ repository: 'acme/app', gitCommit: 'c'.repeat(40) }, { toolVersion: '0.1.0', run: testRun(), now: new Date('2026-01-01T00:00:00Z'), ttlSeconds: 60 }, full);
    expect(validateAgainst('evidence', mutate(st.predicate as unknown as Record<string, unknown>)).length).toBeGreaterThan(0);
  });
});
