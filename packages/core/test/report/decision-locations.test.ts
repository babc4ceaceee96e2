// Where a decision's violations are (annotations, SARIF locations) and the genops.yaml suggestion.
import { describe, expect, it } from '@jest/globals';

import { makeDecision, makeResult, violated } from '@genops/testkit';
import { emptyEvidence, type Evidence, type Finding } from '../../src/evidence/model.js';
import { defaultPackFiles } from '../../src/policy/sources.js';
import { loadPolicyDocuments } from '../../src/policy/load.js';
import { ruleEvidenceReads, serviceMetadataSuggestions, violationLocations } from '../../src/report/decision-locations.js';

function finding(overrides: Partial<Finding>): Finding {
  return { id: 'CVE-2024-4068', aliases: ['GHSA-grv7-fg5c-xmjg'], kind: 'dependency', tools: ['grype'], severity: 'high', fixedIn: ['3.0.3'], fixAvailable: true, locations: [], suppressed: false, package: { name: 'braces', version: '3.0.2' }, ...overrides };
}

function evidence(): Evidence {
  return {
    ...emptyEvidence(),
    vulnerabilities: {
      findings: [
        finding({ locations: [{ path: 'package-lock.json', startLine: 120, endLine: 124 }, { path: 'github:sbom' }, { path: '../etc/passwd', startLine: 1 }] }),
        // Not named by the message: not annotated.
        finding({ id: 'CVE-2024-0001', aliases: [], locations: [{ path: 'other/package-lock.json', startLine: 3 }] }),
        // Named, but suppressed by VEX.
        finding({ id: 'CVE-2024-4068-x', aliases: [], suppressed: true, locations: [{ path: 'x.json', startLine: 1 }] }),
      ],
      totals: { critical: 0, high: 2, medium: 0, low: 0, none: 0, unknown: 0 },
      suppressed: 1,
    },
    coverage: {
      lines: { covered: 10, total: 20, ratio: 0.5 },
      files: 2,
      changedLines: { covered: 3, total: 10, ratio: 0.3, notInstrumented: 0, uncovered: [{ path: 'src/pay.ts', ranges: [[10, 14], [20, 20]] }] },
    },
    tests: {
      total: 3, passed: 2, failed: 1, errored: 0, skipped: 0, flaky: 0, suites: 1,
      failures: [{ suite: 'pay', name: 'refunds', message: 'expected 2', file: 'test/pay.test.ts', line: 41 }, { suite: 'pay', name: 'no file' }],
      flakyTests: [],
    },
  };
}

describe('ruleEvidenceReads', () => {
  it('follows variables transitively', () => {
    const reads = ruleEvidenceReads(loadPolicyDocuments(defaultPackFiles('supply-chain')));
    expect(reads['supply-chain/no-new-fixable-critical-vulnerabilities']).toEqual(['sbomDiff', 'vulnerabilities']);
    expect(reads['supply-chain/sbom-present']).toEqual(['sbom']);
  });
});

describe('violationLocations', () => {
  const vulnRule = violated({ rule: 'no-new-fixable-critical-vulnerabilities', title: 'No new fixable', message: 'New critical/high vulnerabilities with a fix available: CVE-2024-4068 (high) in braces@3.0.2, fixed in 3.0.3' });

  it('findings the message names, at their locations; other, suppressed and unsafe paths skipped', () => {
    const locs = violationLocations(makeDecision({ results: [vulnRule] }), evidence());
    expect(locs).toEqual([
      { rule: 'supply-chain/no-new-fixable-critical-vulnerabilities', path: 'package-lock.json', startLine: 120, endLine: 124, message: 'CVE-2024-4068 (high) in braces@3.0.2; fixed in 3.0.3 (No new fixable)', level: 'failure' },
    ]);
  });

  it('coverage and test rules, by what they read; warnings as warning; passes and exceptions none', () => {
    const d = makeDecision({
      results: [
        violated({ set: 'quality', rule: 'changed-lines-covered', title: 'Changed lines covered', decision: 'warn', message: 'coverage 30 %' }),
        violated({ set: 'quality', rule: 'tests-pass', title: 'Tests pass', message: '1 failed' }),
        makeResult({ set: 'quality', rule: 'passing-coverage' }),
        makeResult({ set: 'quality', rule: 'excused', outcome: 'excepted', exception: 'e', message: 'CVE-2024-4068' }),
      ],
    });
    const reads = { 'quality/changed-lines-covered': ['coverage'], 'quality/tests-pass': ['tests'], 'quality/passing-coverage': ['coverage'], 'quality/excused': ['vulnerabilities'] };
    const locs = violationLocations(d, evidence(), reads);
    expect(locs.map((l) => [l.rule, l.path, l.startLine, l.endLine, l.level])).toEqual([
      ['quality/changed-lines-covered', 'src/pay.ts', 10, 14, 'warning'],
      ['quality/changed-lines-covered', 'src/pay.ts', 20, 20, 'warning'],
      ['quality/tests-pass', 'test/pay.test.ts', 41, undefined, 'failure'],
    ]);
    expect(locs[0]?.message).toBe('Changed lines 10-14 are not covered by tests (Changed lines covered)');
    expect(locs[2]?.message).toBe('Test failed: pay > refunds: expected 2 (Tests pass)');
    // Without reads, coverage and tests are not guessed.
    expect(violationLocations(d, evidence())).toEqual([]);
  });

  it('a finding id inside a longer id does not count', () => {
    const d = makeDecision({ results: [violated({ message: 'CVE-2024-40681 only' })] });
    expect(violationLocations(d, evidence())).toEqual([]);
  });
});

describe('serviceMetadataSuggestions', () => {
  const d = makeDecision();
  const yaml = 'app: payments-api\nenvironment: production\nowner: "@octo-org/payments"\nslos:\n  - name: availability\n    objective: 99.9\n\n';

  it('appends the missing keys after the last line, checked by re-parsing', () => {
    expect(serviceMetadataSuggestions(d, { path: 'genops.yaml', text: yaml })).toEqual([
      { rule: 'metadata/service-metadata-present', path: 'genops.yaml', startLine: 6, replacement: '    objective: 99.9\ncostCenter: ""  # TODO: fill in', description: 'Add costCenter to genops.yaml and fill in the values' },
    ]);
  });

  describe('a Backstage catalog-info.yaml', () => {
    const costCenter = makeDecision({ results: [violated({ set: 'metadata', rule: 'service-metadata-present', message: 'Service metadata of shop is missing: environment, costCenter.' })] });
    const head = 'apiVersion: backstage.io/v1alpha1\nkind: Component\n';

    it('adds the annotations under metadata.annotations, indented like the file', () => {
      const text = `${head}metadata:\n  name: shop\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  owner: team-a\n  lifecycle: production\n`;
      expect(serviceMetadataSuggestions(costCenter, { path: 'catalog-info.yaml', text })).toEqual([
        {
          rule: 'metadata/service-metadata-present',
          path: 'catalog-info.yaml',
          startLine: 5,
          replacement: '  annotations:\n    "genops.dev/environment": ""  # TODO: fill in\n    "genops.dev/cost-center": ""  # TODO: fill in',
          description: 'Add environment, costCenter to catalog-info.yaml and fill in the values',
        },
      ]);
    });

    it('creates metadata.annotations when there is none (4-space indentation kept)', () => {
      const text = `${head}metadata:\n    name: shop\nspec:\n    owner: team-a\n`;
      const [s1] = serviceMetadataSuggestions(costCenter, { path: 'svc/catalog-info.yaml', text });
      expect(s1).toMatchObject({ startLine: 3, replacement: 'metadata:\n    annotations:\n        "genops.dev/environment": ""  # TODO: fill in\n        "genops.dev/cost-center": ""  # TODO: fill in' });
    });

    it('only the annotation not yet there; none for flow-style annotations, for owner or name, or for another kind', () => {
      const some = `${head}metadata:\n  name: shop\n  annotations:\n    genops.dev/environment: production\nspec:\n  owner: team-a\n`;
      expect(serviceMetadataSuggestions(costCenter, { path: 'catalog-info.yaml', text: some }).map((x) => x.replacement)).toEqual(['  annotations:\n    "genops.dev/cost-center": ""  # TODO: fill in']);
      expect(serviceMetadataSuggestions(costCenter, { path: 'catalog-info.yaml', text: `${head}metadata:\n  name: shop\n  annotations: {a: b}\n` })).toEqual([]);
      const owner = makeDecision({ results: [violated({ set: 'metadata', rule: 'service-metadata-present', message: 'Service metadata of shop is missing: owner.' })] });
      expect(serviceMetadataSuggestions(owner, { path: 'catalog-info.yaml', text: some })).toEqual([]);
      expect(serviceMetadataSuggestions(costCenter, { path: 'catalog-info.yaml', text: some.replace('kind: Component', 'kind: System') })).toEqual([]);
    });
  });

  it('none for a Backstage file without metadata, a flow mapping, a key already present, or an unknown key', () => {
    expect(serviceMetadataSuggestions(d, { path: 'catalog-info.yaml', text: 'apiVersion: backstage.io/v1alpha1\nkind: Component\n' })).toEqual([]);
    expect(serviceMetadataSuggestions(d, { path: 'genops.yaml', text: '{app: x, owner: y}\n' })).toEqual([]);
    expect(serviceMetadataSuggestions(d, { path: 'genops.yaml', text: `${yaml}costCenter: ""\n` })).toEqual([]);
    const odd = makeDecision({ results: [violated({ set: 'metadata', rule: 'service-metadata-present', message: 'Service metadata of x is missing: evilKey.' })] });
    expect(serviceMetadataSuggestions(odd, { path: 'genops.yaml', text: yaml })).toEqual([]);
  });
});
