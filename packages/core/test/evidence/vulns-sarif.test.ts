import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../src/evidence/model.js';
import { parseVulnerabilityFile } from '../../src/evidence/vulns/index.js';
import { configError, fixture, jsonFile } from './helpers.js';

function byRule(findings: Finding[], rule: string): Finding {
  const f = findings.find((x) => x.rule === rule);
  if (f === undefined) throw new Error(`no finding for ${rule}`);
  return f;
}

/** A minimal SARIF log around the given run properties. */
function sarif(run: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { version: '2.1.0', $schema: 'https://json.schemastore.org/sarif-2.1.0.json', runs: [{ tool: { driver: { name: 'Semgrep OSS' } }, ...run }], ...extra };
}

describe('SARIF: CodeQL', () => {
  const parsed = parseVulnerabilityFile(fixture('vulns/codeql-javascript.sarif'));
  const findings = parsed.value;

  it('detects SARIF 2.1.0 and names the parser', () => {
    expect(parsed.format).toBe('sarif@2.1.0');
    expect(parsed.parser.name).toBe('genops/sarif');
  });

  it('keeps one code finding per result and leaves out the suppressed one', () => {
    expect(findings.map((f) => f.rule)).toEqual([
      'js/sql-injection',
      'js/reflected-xss',
      'js/path-injection',
      'js/code-injection',
      'js/clear-text-logging',
      'js/unused-local-variable',
    ]);
    expect(findings.every((f) => f.kind === 'code' && f.tools.join() === 'CodeQL' && !f.suppressed && f.vex === undefined)).toBe(true);
    expect(parsed.warnings).toEqual(['1 results are suppressed in the SARIF file (suppressions with status accepted) and were left out']);
  });

  it('maps security-severity from the extension rules (toolComponent.index) in GitHub bands', () => {
    expect(byRule(findings, 'js/code-injection').severity).toBe('critical'); // 9.3
    expect(byRule(findings, 'js/sql-injection').severity).toBe('high'); // 8.8
    expect(byRule(findings, 'js/path-injection').severity).toBe('high'); // 7.5
    // No security-severity: the rule's defaultConfiguration.level `note` -> low.
    expect(byRule(findings, 'js/unused-local-variable').severity).toBe('low');
  });

  it('takes the id, title and locations from rule and result', () => {
    const sql = byRule(findings, 'js/sql-injection');
    expect(sql.id).toBe('js/sql-injection');
    expect(sql.aliases).toEqual([]);
    expect(sql.title).toBe('Database query built from user-controlled sources');
    expect(sql.locations).toEqual([{ path: 'src/db/query.js', startLine: 42, startColumn: 18, endColumn: 61 }]);
    expect(byRule(findings, 'js/clear-text-logging').locations).toEqual([{ path: 'src/lib/auth.js', startLine: 55, endLine: 57, startColumn: 5, endColumn: 7 }]);
    expect(sql.fixedIn).toEqual([]);
    expect(sql.fixAvailable).toBe(false);
    expect(sql.purl).toBeUndefined();
  });

  it('reduces an absolute file:// URI under the runner workspace to a repository path', () => {
    expect(byRule(findings, 'js/path-injection').locations).toEqual([{ path: 'src/routes/files.js', startLine: 23, startColumn: 25, endColumn: 33 }]);
  });

  it('resolves an artifactLocation given only as an index into run.artifacts', () => {
    expect(byRule(findings, 'js/code-injection').locations).toEqual([{ path: 'src/lib/template.js', startLine: 8, startColumn: 10, endColumn: 29 }]);
  });
});

describe('SARIF: a dependency scanner (Trivy)', () => {
  const parsed = parseVulnerabilityFile(fixture('vulns/trivy.sarif'));

  it('reads vulnerability rule ids as dependency findings with the package from the message', () => {
    expect(parsed.value).toHaveLength(2);
    const [lodash, minimist] = parsed.value;
    expect(lodash).toMatchObject({
      id: 'CVE-2021-23337',
      kind: 'dependency',
      tools: ['Trivy'],
      severity: 'high',
      rule: 'CVE-2021-23337',
      package: { name: 'lodash', version: '4.17.20' },
      fixedIn: ['4.17.21'],
      fixAvailable: true,
      title: 'nodejs-lodash: command injection via template',
      locations: [{ path: 'package-lock.json', startLine: 1021, endLine: 1025, startColumn: 1, endColumn: 1 }],
    });
    expect(lodash?.purl).toBeUndefined();
    expect(minimist).toMatchObject({ id: 'CVE-2021-44906', severity: 'critical', fixedIn: ['1.2.6', '0.2.4'] });
  });
});

describe('SARIF: details', () => {
  it('reads Grype-style rule ids (CVE-...-package) and the purl from rule properties', () => {
    const doc = sarif({
      tool: {
        driver: {
          name: 'grype',
          rules: [{ id: 'CVE-1999-0002-package-2', shortDescription: { text: 'CVE-1999-0002 critical vulnerability for package-2 package' }, properties: { purls: ['pkg:deb/debian/package-2@2.2.2'], 'security-severity': '9.1' } }],
        },
      },
      results: [{ ruleId: 'CVE-1999-0002-package-2', message: { text: 'A critical vulnerability' }, locations: [{ physicalLocation: { artifactLocation: { uri: '/var/lib/dpkg/status' }, region: { startLine: 1 } } }] }],
    });
    const [f] = parseVulnerabilityFile(jsonFile(doc)).value;
    expect(f).toMatchObject({
      id: 'CVE-1999-0002',
      rule: 'CVE-1999-0002-package-2',
      kind: 'dependency',
      severity: 'critical',
      purl: 'pkg:deb/debian/package-2@2.2.2',
      package: { name: 'package-2', version: '2.2.2', ecosystem: 'deb' },
      locations: [{ path: 'var/lib/dpkg/status', startLine: 1 }],
    });
  });

  it('applies SARIF level defaults: result level, rule default, warning; none for non-fail kinds', () => {
    const doc = sarif({
      tool: { driver: { name: 'Semgrep OSS', rules: [{ id: 'r.err', defaultConfiguration: { level: 'error' } }, { id: 'r.plain' }] } },
      results: [
        { ruleId: 'r.err', message: { text: 'a' } },
        { ruleId: 'r.err', level: 'note', message: { text: 'b' } },
        { ruleId: 'r.plain', message: { text: 'c' } },
        { ruleId: 'r.plain', kind: 'review', message: { text: 'd' } },
        { ruleId: 'r.plain', kind: 'pass', message: { text: 'e' } },
        { ruleId: 'r.plain', kind: 'notApplicable', message: { text: 'f' } },
        { ruleId: 'r.plain', baselineState: 'absent', message: { text: 'g' } },
      ],
    });
    const parsed = parseVulnerabilityFile(jsonFile(doc));
    expect(parsed.value.map((f) => f.severity)).toEqual(['high', 'low', 'medium', 'none']);
    expect(parsed.value[2]?.title).toBe('c');
    expect(parsed.warnings).toEqual([
      '2 results of kind pass/notApplicable are not problems and were left out',
      '1 results have baselineState "absent" (fixed since the baseline) and were left out',
    ]);
  });

  it('prefers a security-severity on the result over the rule, and ignores one out of range', () => {
    const doc = sarif({
      tool: { driver: { name: 'x', rules: [{ id: 'r', properties: { 'security-severity': '5.0' } }] } },
      results: [
        { ruleId: 'r', properties: { 'security-severity': 9.0 }, message: { text: 'a' } },
        { ruleId: 'r', message: { text: 'b' } },
        { ruleId: 'r', properties: { 'security-severity': '11' }, message: { text: 'c' } },
        { ruleId: 'r', properties: { 'security-severity': '0.0' }, message: { text: 'd' } },
      ],
    });
    const parsed = parseVulnerabilityFile(jsonFile(doc));
    expect(parsed.value.map((f) => f.severity)).toEqual(['critical', 'medium', 'medium', 'none']);
    expect(parsed.warnings).toContain('1 security-severity values are not numbers in [0, 10] and were ignored');
  });

  it('finds the rule by ruleIndex when there is no ruleId, and leaves out results without any rule', () => {
    const doc = sarif({
      tool: { driver: { name: 'x', rules: [{ id: 'first' }, { id: 'second', shortDescription: { text: 'Second rule' } }] } },
      results: [{ ruleIndex: 1, message: { text: 'a' } }, { message: { text: 'no rule' } }],
    });
    const parsed = parseVulnerabilityFile(jsonFile(doc));
    expect(parsed.value.map((f) => [f.id, f.title])).toEqual([['second', 'Second rule']]);
    expect(parsed.warnings).toContain('1 results name no rule (no ruleId, rule.id or ruleIndex) and were left out');
  });

  it('resolves nested uriBaseIds and percent-encoding, keeps unknown absolute paths with a warning', () => {
    const doc = sarif({
      originalUriBaseIds: {
        SRCROOT: { uri: 'file:///tmp/checkout/' },
        PKG: { uri: 'packages/api/', uriBaseId: 'SRCROOT' },
      },
      results: [
        { ruleId: 'r', message: { text: 'a' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'src/a%20b.ts', uriBaseId: 'PKG' }, region: { startLine: 3 } } }] },
        { ruleId: 'r', message: { text: 'b' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'file:///tmp/checkout/packages/web/x.ts' } } }] },
        { ruleId: 'r', message: { text: 'c' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'file:///opt/elsewhere/y.ts' } } }] },
        { ruleId: 'r', message: { text: 'd' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'file:///D:/a/shop/shop/src/win.ts' } } }] },
        { ruleId: 'r', message: { text: 'e' }, locations: [{ physicalLocation: { artifactLocation: { uri: './lib/z.ts' }, region: { startLine: 0, startColumn: -2 } } }] },
      ],
    });
    const parsed = parseVulnerabilityFile(jsonFile(doc));
    expect(parsed.value.map((f) => f.locations)).toEqual([
      [{ path: 'packages/api/src/a b.ts', startLine: 3 }],
      [{ path: 'packages/web/x.ts' }],
      [{ path: '/opt/elsewhere/y.ts' }],
      [{ path: 'src/win.ts' }],
      [{ path: 'lib/z.ts' }],
    ]);
    expect(parsed.warnings).toContain('1 locations are absolute paths outside any known workspace root and were kept as written');
  });

  it('rejects other SARIF versions with the version it found', () => {
    const err = configError(() => parseVulnerabilityFile(jsonFile({ version: '2.0.0', runs: [] })));
    expect(err.message).toContain('SARIF version 2.0.0');
    expect(err.details.expected).toContain('SARIF 2.1.0');
  });

  it('skips malformed runs and results with warnings instead of failing', () => {
    const parsed = parseVulnerabilityFile(jsonFile({ version: '2.1.0', runs: [42, { tool: {}, results: [null, { ruleId: 'r' }] }, { results: 'x' }] }));
    expect(parsed.value.map((f) => [f.id, f.tools[0]])).toEqual([['r', 'sarif']]);
    expect(parsed.warnings).toEqual([
      'runs[0] is not an object; skipped',
      'runs[1] names no tool.driver.name; its findings are attributed to "sarif"',
      'runs[1].results[0] is not an object; skipped',
      'runs[2] names no tool.driver.name; its findings are attributed to "sarif"',
      'runs[2].results is not an array; skipped',
    ]);
  });

  it('shortens titles past the evidence limit and says so', () => {
    const doc = sarif({ results: [{ ruleId: 'r', message: { text: 'x'.repeat(5000) } }] });
    const parsed = parseVulnerabilityFile(jsonFile(doc));
    expect(parsed.value[0]?.title).toHaveLength(4096);
    expect(parsed.value[0]?.title?.endsWith('…')).toBe(true);
    expect(parsed.warnings).toContain('some titles were longer than the evidence allows and were shortened');
  });

  it('stops at maxFindings with a limit error', () => {
    const doc = sarif({ results: [{ ruleId: 'a' }, { ruleId: 'b' }, { ruleId: 'c' }] });
    const limits = { maxFileBytes: 1e9, maxFilesPerSource: 10, maxComponents: 10, maxFindings: 2, maxTestCases: 10, maxSpans: 10, maxWarnings: 10 };
    const err = configError(() => parseVulnerabilityFile(jsonFile(doc), limits));
    expect(err.message).toContain('more than 2 findings');
    expect(err.details.hint).toContain('max-findings');
  });
});
