import { describe, expect, it } from '@jest/globals';
import type { Finding, VexStatement } from '../../src/evidence/model.js';
import { parseVulnerabilityFile } from '../../src/evidence/vulns/index.js';
import { buildVulnerabilityEvidence } from '../../src/evidence/vulns/merge.js';
import { parseVexFile } from '../../src/evidence/vulns/vex.js';
import { fixture } from './helpers.js';

const REPORTS = ['codeql-javascript.sarif', 'grype.json', 'trivy.json', 'osv-scanner.json', 'npm-audit-v2.json'];
const findings = REPORTS.flatMap((r) => parseVulnerabilityFile(fixture(`vulns/${r}`)).value);
const statements = ['openvex.json', 'cyclonedx-vex.json'].flatMap((v) => parseVexFile(fixture(`vex/${v}`)).value);

function find(list: Finding[], id: string): Finding {
  const f = list.find((x) => x.id === id);
  if (f === undefined) throw new Error(`no finding ${id}`);
  return f;
}

function dep(id: string, purl: string | undefined, extra: Partial<Finding> = {}): Finding {
  const f: Finding = { id, aliases: [], kind: 'dependency', tools: ['t'], severity: 'high', fixedIn: [], fixAvailable: false, locations: [], suppressed: false, ...extra };
  if (purl !== undefined) f.purl = purl;
  return f;
}

function vex(vulnerability: string, status: VexStatement['status'], extra: Partial<VexStatement> = {}): VexStatement {
  return { vulnerability, aliases: [], products: [], status, source: 'vex.json', ...extra };
}

describe('buildVulnerabilityEvidence: the fixture set', () => {
  const evidence = buildVulnerabilityEvidence(findings, statements);

  it('merges the same vulnerability of the same package across scanners', () => {
    expect(findings).toHaveLength(25);
    expect(evidence.findings).toHaveLength(16);
    expect(find(evidence.findings, 'CVE-2021-23337')).toMatchObject({
      aliases: ['GHSA-35jh-r3h4-6jhm'],
      tools: ['grype', 'npm-audit', 'trivy'],
      purl: 'pkg:npm/lodash@4.17.20',
      package: { name: 'lodash', version: '4.17.20', ecosystem: 'npm' },
      title: 'nodejs-lodash: command injection via template',
      locations: [{ path: 'package-lock.json' }, { path: 'package-lock.json', startLine: 1021, endLine: 1025 }],
    });
    expect(find(evidence.findings, 'CVE-2022-25883')).toMatchObject({ tools: ['grype', 'trivy'], fixedIn: ['7.5.2', '6.3.1', '5.7.2'] });
    expect(find(evidence.findings, 'CVE-2022-0235')).toMatchObject({ tools: ['grype', 'npm-audit', 'osv-scanner'], fixedIn: ['2.6.7', '3.1.1'] });
    expect(find(evidence.findings, 'CVE-2021-3749').tools).toEqual(['grype', 'osv-scanner']);
    expect(find(evidence.findings, 'CVE-2020-28500').tools).toEqual(['grype', 'npm-audit']);
  });

  it('applies VEX: not_affected and fixed suppress, the latest statement wins', () => {
    expect(find(evidence.findings, 'CVE-2021-23337')).toMatchObject({
      suppressed: true,
      vex: { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', source: 'fixtures/evidence/vex/openvex.json' },
    });
    // OpenVEX says under_investigation (2025-03-02), CycloneDX says resolved (2025-03-04): fixed wins.
    expect(find(evidence.findings, 'CVE-2021-44906')).toMatchObject({ suppressed: true, vex: { status: 'fixed', source: 'fixtures/evidence/vex/cyclonedx-vex.json' } });
    expect(find(evidence.findings, 'CVE-2022-0235')).toMatchObject({ suppressed: true, vex: { status: 'not_affected', justification: 'false_positive' } });
    // affected / under_investigation are recorded but do not suppress.
    expect(find(evidence.findings, 'CVE-2022-25883')).toMatchObject({ suppressed: false, vex: { status: 'affected', source: 'fixtures/evidence/vex/openvex.json' } });
    // The OpenVEX not_affected for axios@0.27.2 does not cover 0.21.1; CycloneDX's in_triage does.
    expect(find(evidence.findings, 'CVE-2021-3749')).toMatchObject({ suppressed: false, vex: { status: 'under_investigation' } });
    expect(find(evidence.findings, 'CVE-2021-38561').vex).toBeUndefined();
  });

  it('counts unsuppressed findings by severity and the suppressed ones apart', () => {
    expect(evidence.totals).toEqual({ critical: 1, high: 7, medium: 3, low: 1, none: 0, unknown: 1 });
    expect(evidence.suppressed).toBe(3);
  });

  it('orders findings by severity, then id', () => {
    expect(evidence.findings.map((f) => f.id)).toEqual([
      'CVE-2021-44906',
      'js/code-injection',
      'CVE-2021-23337',
      'CVE-2021-3121',
      'CVE-2021-3749',
      'CVE-2022-0235',
      'CVE-2023-30861',
      'js/clear-text-logging',
      'js/path-injection',
      'js/reflected-xss',
      'js/sql-injection',
      'CVE-2020-28500',
      'CVE-2022-25883',
      'GHSA-2g68-c3qc-8985',
      'js/unused-local-variable',
      'CVE-2021-38561',
    ]);
  });

  it('does not depend on the order of reports', () => {
    const reversed = buildVulnerabilityEvidence([...findings].reverse(), statements);
    expect(reversed.totals).toEqual(evidence.totals);
    expect(reversed.findings.map((f) => [f.id, f.purl, f.tools, f.severity, f.suppressed])).toEqual(evidence.findings.map((f) => [f.id, f.purl, f.tools, f.severity, f.suppressed]));
  });

  it('is a fixed point', () => {
    expect(buildVulnerabilityEvidence(evidence.findings, statements)).toEqual(evidence);
  });

  it('does not modify its input', () => {
    const before = JSON.stringify(findings);
    buildVulnerabilityEvidence(findings, statements);
    expect(JSON.stringify(findings)).toBe(before);
  });
});

describe('buildVulnerabilityEvidence: merge rules', () => {
  it('keeps the highest severity and the CVSS with the highest score', () => {
    const out = buildVulnerabilityEvidence(
      [
        dep('CVE-1', 'pkg:npm/a@1.0.0', { severity: 'medium', cvss: { score: 5.3 }, tools: ['x'] }),
        dep('CVE-1', 'pkg:npm/a@1.0.0?arch=x64', { severity: 'critical', cvss: { score: 9.1, vector: 'v' }, tools: ['y'] }),
        dep('CVE-1', 'pkg:npm/a@1.0.0', { severity: 'unknown', tools: ['z'] }),
      ],
      [],
    );
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ severity: 'critical', cvss: { score: 9.1, vector: 'v' }, tools: ['x', 'y', 'z'], purl: 'pkg:npm/a@1.0.0' });
  });

  it('chains shared aliases and re-chooses the primary id', () => {
    const out = buildVulnerabilityEvidence(
      [dep('GHSA-aaaa-bbbb-cccc', 'pkg:npm/a@1.0.0'), dep('GO-2024-1', 'pkg:npm/a@1.0.0', { aliases: ['GHSA-AAAA-BBBB-CCCC', 'CVE-2024-22222'] }), dep('PYSEC-1', 'pkg:npm/a@1.0.0', { aliases: ['GO-2024-1'] })],
      [],
    );
    expect(out.findings.map((f) => [f.id, f.aliases])).toEqual([['CVE-2024-22222', ['GHSA-aaaa-bbbb-cccc', 'GO-2024-1', 'PYSEC-1']]]);
  });

  it('keeps different versions, packages and code locations apart', () => {
    const code = (line: number): Finding => ({ ...dep('js/xss', undefined), kind: 'code', rule: 'js/xss', locations: [{ path: 'a.js', startLine: line }] });
    const out = buildVulnerabilityEvidence([dep('CVE-1', 'pkg:npm/a@1.0.0'), dep('CVE-1', 'pkg:npm/a@2.0.0'), dep('CVE-1', 'pkg:npm/b@1.0.0'), code(1), code(2), code(1)], []);
    expect(out.findings.map((f) => [f.id, f.purl ?? f.locations[0]?.startLine])).toEqual([
      ['CVE-1', 'pkg:npm/a@1.0.0'],
      ['CVE-1', 'pkg:npm/a@2.0.0'],
      ['CVE-1', 'pkg:npm/b@1.0.0'],
      ['js/xss', 1],
      ['js/xss', 2],
    ]);
  });

  it('pairs a versionless purl only with a single versioned finding', () => {
    const single = buildVulnerabilityEvidence([dep('GHSA-aaaa-bbbb-cccc', 'pkg:npm/a'), dep('CVE-1', 'pkg:npm/a@1.0.0', { aliases: ['GHSA-aaaa-bbbb-cccc'] })], []);
    expect(single.findings.map((f) => f.purl)).toEqual(['pkg:npm/a@1.0.0']);
    const ambiguous = buildVulnerabilityEvidence([dep('CVE-1', 'pkg:npm/a'), dep('CVE-1', 'pkg:npm/a@1.0.0'), dep('CVE-1', 'pkg:npm/a@2.0.0')], []);
    expect(ambiguous.findings.map((f) => f.purl)).toEqual(['pkg:npm/a', 'pkg:npm/a@1.0.0', 'pkg:npm/a@2.0.0']);
  });

  it('matches scanners that spell purls differently', () => {
    const out = buildVulnerabilityEvidence([dep('CVE-1', 'pkg:npm/%40babel/core@7.0.0'), dep('CVE-1', 'pkg:npm/@babel/core@7.0.0'), dep('CVE-2', 'pkg:pypi/PyYAML@6.0'), dep('CVE-2', 'pkg:pypi/pyyaml@6.0')], []);
    expect(out.findings).toHaveLength(2);
  });
});

describe('buildVulnerabilityEvidence: VEX matching', () => {
  const f = dep('CVE-1', 'pkg:npm/a@1.0.0', { aliases: ['GHSA-aaaa-bbbb-cccc'] });

  it('matches on an alias, on a versionless product, and on a statement without products', () => {
    expect(buildVulnerabilityEvidence([f], [vex('GHSA-AAAA-BBBB-CCCC', 'not_affected', { products: ['pkg:npm/a'] })]).suppressed).toBe(1);
    expect(buildVulnerabilityEvidence([f], [vex('X', 'fixed', { aliases: ['CVE-1'] })]).suppressed).toBe(1);
    expect(buildVulnerabilityEvidence([f], [vex('CVE-1', 'not_affected', { products: ['pkg:npm/a@1.0.0?type=module'] })]).suppressed).toBe(1);
  });

  it('does not match another version, another package or another vulnerability', () => {
    for (const s of [vex('CVE-1', 'not_affected', { products: ['pkg:npm/a@1.0.1'] }), vex('CVE-1', 'not_affected', { products: ['pkg:npm/b'] }), vex('CVE-2', 'not_affected')]) {
      const out = buildVulnerabilityEvidence([f], [s]);
      expect(out.suppressed).toBe(0);
      expect(out.findings[0]?.vex).toBeUndefined();
    }
    // A finding without a purl is only covered by a statement without products.
    const code: Finding = { ...dep('js/xss', undefined), kind: 'code' };
    expect(buildVulnerabilityEvidence([code], [vex('js/xss', 'not_affected', { products: ['pkg:npm/a'] })]).suppressed).toBe(0);
    expect(buildVulnerabilityEvidence([code], [vex('js/xss', 'not_affected')]).suppressed).toBe(1);
  });

  it('lets the latest timestamp win, then the later statement; undated statements are oldest', () => {
    const older = vex('CVE-1', 'not_affected', { timestamp: '2024-01-01T00:00:00Z', justification: 'component_not_present' });
    const newer = vex('CVE-1', 'affected', { timestamp: '2024-02-01T00:00:00+01:00' });
    const undated = vex('CVE-1', 'fixed');
    expect(buildVulnerabilityEvidence([f], [newer, older, undated]).findings[0]?.vex).toEqual({ status: 'affected', source: 'vex.json' });
    expect(buildVulnerabilityEvidence([f], [older, undated]).findings[0]?.vex).toEqual({ status: 'not_affected', justification: 'component_not_present', source: 'vex.json' });
    const tieA = vex('CVE-1', 'fixed', { timestamp: '2024-03-01T00:00:00Z', source: 'a.json' });
    const tieB = vex('CVE-1', 'affected', { timestamp: '2024-03-01T00:00:00.000Z', source: 'b.json' });
    expect(buildVulnerabilityEvidence([f], [tieA, tieB]).findings[0]?.vex?.source).toBe('b.json');
    expect(buildVulnerabilityEvidence([f], [tieB, tieA]).findings[0]?.vex?.source).toBe('a.json');
  });

  it('builds an empty section from VEX alone', () => {
    expect(buildVulnerabilityEvidence([], statements)).toEqual({ findings: [], totals: { critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 }, suppressed: 0 });
  });
});
