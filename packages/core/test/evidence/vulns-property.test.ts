/**
 * Property tests: whatever bytes or JSON the vulnerability parsers get, they return findings the
 * evidence schema accepts, or throw a ConfigError; and the merge keeps its invariants.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SEVERITIES, type Finding, type Severity, type VexStatement } from '../../src/evidence/model.js';
import { parseVulnerabilityFile } from '../../src/evidence/vulns/index.js';
import { buildVulnerabilityEvidence } from '../../src/evidence/vulns/merge.js';
import { cvss3BaseScore } from '../../src/evidence/vulns/severity.js';
import { evidenceDef, fixtureText, jsonFile, jsonPaths, mutateAt, returnsOrConfigError, sourceFile } from './helpers.js';

const RUNS = { numRuns: 200, seed: 42 };
const validVulnerabilities = evidenceDef('vulnerabilities');
const FIXTURES = ['codeql-javascript.sarif', 'trivy.sarif', 'grype.json', 'trivy.json', 'osv-scanner.json', 'npm-audit-v2.json', 'npm-audit-v1.json'];

/** Parses, and when it returns, checks the findings (merged, without VEX) against the evidence schema. */
function parsesToValidEvidence(file: ReturnType<typeof jsonFile>): boolean {
  let findings: Finding[] | undefined;
  const ok = returnsOrConfigError(() => {
    findings = parseVulnerabilityFile(file).value;
  });
  if (findings !== undefined) {
    for (const f of findings) {
      expect(f.suppressed).toBe(false);
      expect(f.vex).toBeUndefined();
    }
    expect(validVulnerabilities(buildVulnerabilityEvidence(findings, []))).toEqual([]);
  }
  return ok;
}

describe('vulnerability parsers on arbitrary input', () => {
  it('random bytes: findings or a ConfigError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => parsesToValidEvidence(sourceFile('r.json', bytes))),
      RUNS,
    );
  });

  it('random JSON: findings or a ConfigError', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (doc) => parsesToValidEvidence(jsonFile(doc))),
      RUNS,
    );
  });

  it('random JSON under each format’s detection keys', () => {
    const shaped = fc.oneof(
      fc.record({ version: fc.constant('2.1.0'), runs: fc.array(fc.jsonValue({ maxDepth: 5 }), { maxLength: 4 }) }),
      fc.record({ matches: fc.array(fc.jsonValue({ maxDepth: 5 }), { maxLength: 4 }), descriptor: fc.constant({ name: 'grype' }) }),
      fc.record({ SchemaVersion: fc.constant(2), ArtifactName: fc.string(), ArtifactType: fc.constantFrom('filesystem', 'container_image'), Results: fc.array(fc.jsonValue({ maxDepth: 5 }), { maxLength: 4 }) }),
      fc.record({ results: fc.array(fc.record({ source: fc.jsonValue({ maxDepth: 2 }), packages: fc.array(fc.jsonValue({ maxDepth: 5 }), { maxLength: 3 }) }), { maxLength: 3 }) }),
      fc.record({ auditReportVersion: fc.constant(2), vulnerabilities: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 4 }) }),
      fc.record({ advisories: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 4 }), metadata: fc.constant({}) }),
    );
    fc.assert(
      fc.property(shaped, (doc) => parsesToValidEvidence(jsonFile(doc))),
      RUNS,
    );
  });

  for (const name of FIXTURES) {
    it(`mutated ${name}: findings or a ConfigError`, () => {
      const text = fixtureText(`vulns/${name}`);
      const doc = JSON.parse(text) as unknown;
      const paths = jsonPaths(doc);
      fc.assert(
        fc.property(
          fc.nat({ max: paths.length - 1 }),
          fc.option(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 5000 }), fc.constantFrom(-1, 0, 1e308, 'CVE-2021-44228', 'pkg:npm/%zz@', '__proto__')), { nil: undefined }),
          (at, value) => parsesToValidEvidence(jsonFile(mutateAt(doc, paths[at] ?? [], value))),
        ),
        RUNS,
      );
    });

    it(`truncated ${name}: a ConfigError with a line, never a crash`, () => {
      const text = fixtureText(`vulns/${name}`);
      fc.assert(
        fc.property(fc.nat({ max: text.length - 2 }), (cut) => parsesToValidEvidence(sourceFile('r.json', text.slice(0, cut)))),
        { numRuns: 50, seed: 42 },
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Merge

const IDS = ['CVE-2021-0001', 'CVE-2021-0002', 'GHSA-aaaa-bbbb-cccc', 'ghsa-AAAA-bbbb-CCCC', 'GO-2021-0001', 'js/xss'];
const PURLS = [undefined, 'pkg:npm/a', 'pkg:npm/a@1.0.0', 'pkg:npm/a@1.0.0?x=y', 'pkg:npm/a@2.0.0', 'pkg:npm/%40s/b@1.0.0', 'pkg:npm/@s/b@1.0.0', 'not a purl'];

const finding: fc.Arbitrary<Finding> = fc
  .record({
    id: fc.constantFrom(...IDS),
    aliases: fc.uniqueArray(fc.constantFrom(...IDS), { maxLength: 3 }),
    kind: fc.constantFrom<'dependency' | 'code'>('dependency', 'code'),
    tools: fc.uniqueArray(fc.constantFrom('grype', 'trivy', 'osv-scanner', 'CodeQL'), { minLength: 1, maxLength: 2 }),
    severity: fc.constantFrom<Severity>(...SEVERITIES),
    score: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
    purl: fc.constantFrom(...PURLS),
    fixedIn: fc.uniqueArray(fc.constantFrom('1.0.1', '2.0.0'), { maxLength: 2 }),
    fixAvailable: fc.boolean(),
    line: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    title: fc.option(fc.constantFrom('t1', 't2'), { nil: undefined }),
  })
  .map((r) => {
    const f: Finding = {
      id: r.id,
      aliases: r.aliases,
      kind: r.kind,
      tools: r.tools,
      severity: r.severity,
      fixedIn: r.fixedIn,
      fixAvailable: r.fixAvailable,
      locations: r.line === undefined ? [] : [{ path: 'src/a.js', startLine: r.line }],
      suppressed: false,
    };
    if (r.score !== undefined) f.cvss = { score: r.score / 10 };
    if (r.purl !== undefined) f.purl = r.purl;
    if (r.title !== undefined) f.title = r.title;
    return f;
  });

const statement: fc.Arbitrary<VexStatement> = fc
  .record({
    vulnerability: fc.constantFrom(...IDS),
    aliases: fc.uniqueArray(fc.constantFrom(...IDS), { maxLength: 2 }),
    products: fc.uniqueArray(fc.constantFrom('pkg:npm/a', 'pkg:npm/a@1.0.0', 'pkg:npm/a@2.0.0', 'pkg:npm/@s/b', 'x'), { maxLength: 2 }),
    status: fc.constantFrom<VexStatement['status']>('not_affected', 'affected', 'fixed', 'under_investigation'),
    timestamp: fc.option(fc.constantFrom('2024-01-01T00:00:00Z', '2024-06-01T00:00:00Z', 'not a date'), { nil: undefined }),
    source: fc.constantFrom('a.json', 'b.json'),
  })
  .map((r) => {
    const s: VexStatement = { vulnerability: r.vulnerability, aliases: r.aliases, products: r.products, status: r.status, source: r.source };
    if (r.timestamp !== undefined) s.timestamp = r.timestamp;
    return s;
  });

describe('buildVulnerabilityEvidence invariants', () => {
  const inputs = fc.tuple(fc.array(finding, { maxLength: 25 }), fc.array(statement, { maxLength: 6 }));

  it('totals plus suppressed count every merged finding; suppressed means VEX said not_affected or fixed', () => {
    fc.assert(
      fc.property(inputs, ([findings, vex]) => {
        const out = buildVulnerabilityEvidence(findings, vex);
        const total = SEVERITIES.reduce((n, s) => n + out.totals[s], 0);
        expect(total + out.suppressed).toBe(out.findings.length);
        expect(out.findings.length).toBeLessThanOrEqual(findings.length);
        for (const f of out.findings) expect(f.suppressed).toBe(f.vex !== undefined && (f.vex.status === 'not_affected' || f.vex.status === 'fixed'));
        expect(validVulnerabilities(out)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('is idempotent: merging its own output changes nothing', () => {
    fc.assert(
      fc.property(inputs, ([findings, vex]) => {
        const out = buildVulnerabilityEvidence(findings, vex);
        expect(buildVulnerabilityEvidence(out.findings, vex)).toEqual(out);
      }),
      RUNS,
    );
  });

  it('counts do not depend on the order of findings', () => {
    fc.assert(
      fc.property(inputs, fc.nat(), ([findings, vex], rotate) => {
        const k = findings.length === 0 ? 0 : rotate % findings.length;
        const rotated = [...findings.slice(k), ...findings.slice(0, k)];
        const a = buildVulnerabilityEvidence(findings, vex);
        for (const other of [rotated, [...findings].reverse()]) {
          const b = buildVulnerabilityEvidence(other, vex);
          expect(b.totals).toEqual(a.totals);
          expect(b.suppressed).toBe(a.suppressed);
          expect(b.findings.length).toBe(a.findings.length);
        }
      }),
      RUNS,
    );
  });

  it('orders findings by severity', () => {
    fc.assert(
      fc.property(inputs, ([findings, vex]) => {
        const ranks = buildVulnerabilityEvidence(findings, vex).findings.map((f) => SEVERITIES.indexOf(f.severity));
        expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
      }),
      RUNS,
    );
  });
});

describe('CVSS v3 base score', () => {
  it('is a one-decimal score in [0, 10] for every valid vector', () => {
    const metric = (values: string[]) => fc.constantFrom(...values);
    fc.assert(
      fc.property(
        fc.tuple(metric(['3.0', '3.1']), metric(['N', 'A', 'L', 'P']), metric(['L', 'H']), metric(['N', 'L', 'H']), metric(['N', 'R']), metric(['U', 'C']), metric(['H', 'L', 'N']), metric(['H', 'L', 'N']), metric(['H', 'L', 'N'])),
        ([v, av, ac, pr, ui, s, c, i, a]) => {
          const score = cvss3BaseScore(`CVSS:${v}/AV:${av}/AC:${ac}/PR:${pr}/UI:${ui}/S:${s}/C:${c}/I:${i}/A:${a}`);
          expect(score).toBeDefined();
          expect(score).toBeGreaterThanOrEqual(0);
          expect(score).toBeLessThanOrEqual(10);
          expect(Math.round((score ?? 0) * 10) / 10).toBe(score);
          expect(score === 0).toBe(c === 'N' && i === 'N' && a === 'N');
        },
      ),
      RUNS,
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const score = cvss3BaseScore(`CVSS:3.1/${s}`);
        return score === undefined || (score >= 0 && score <= 10);
      }),
      RUNS,
    );
  });
});
