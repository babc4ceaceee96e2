import { describe, expect, it } from '@jest/globals';
import { parseVexFile } from '../../src/evidence/vulns/vex.js';
import { configError, fixture, jsonFile } from './helpers.js';

describe('OpenVEX', () => {
  const parsed = parseVexFile(fixture('vex/openvex.json'));

  it('reads every statement with the document as source', () => {
    expect(parsed.format).toBe('openvex@0.2.0');
    expect(parsed.parser.name).toBe('genops/openvex');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.value.map((s) => [s.vulnerability, s.status])).toEqual([
      ['CVE-2021-23337', 'not_affected'],
      ['CVE-2022-25883', 'affected'],
      ['CVE-2021-44906', 'under_investigation'],
      ['CVE-2021-3749', 'not_affected'],
    ]);
    expect(parsed.value.every((s) => s.source === 'fixtures/evidence/vex/openvex.json')).toBe(true);
  });

  it('keeps justification, impact, aliases and the product purl', () => {
    expect(parsed.value[0]).toEqual({
      vulnerability: 'CVE-2021-23337',
      aliases: ['GHSA-35jh-r3h4-6jhm'],
      products: ['pkg:npm/lodash@4.17.20'],
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      impact: 'shop never calls _.template(); lodash is only used for _.get and _.merge on trusted config.',
      source: 'fixtures/evidence/vex/openvex.json',
      timestamp: '2025-03-01T10:00:00Z',
    });
  });

  it('uses subcomponents as the products when a product has them', () => {
    expect(parsed.value[1]).toMatchObject({
      products: ['pkg:npm/semver@7.3.7'],
      actionStatement: 'Upgrade semver to 7.5.2 or later (tracked in acme/shop#412).',
    });
  });

  it('reads v0.0.1 documents (string vulnerability and products) and inherits the document time', () => {
    const doc = {
      '@context': 'https://openvex.dev/ns',
      '@id': 'https://example.com/vex-1',
      author: 'x',
      timestamp: '2023-01-08T18:02:03Z',
      version: '1',
      statements: [{ vulnerability: 'CVE-2023-1234', products: ['pkg:oci/app@sha256%3Aabc'], subcomponents: ['pkg:npm/a@1.0.0'], status: 'fixed' }],
    };
    const p = parseVexFile(jsonFile(doc));
    expect(p.format).toBe('openvex');
    expect(p.value).toEqual([
      { vulnerability: 'CVE-2023-1234', aliases: [], products: ['pkg:npm/a@1.0.0'], status: 'fixed', source: 'reports/test.json', timestamp: '2023-01-08T18:02:03Z' },
    ]);
  });

  it('warns about statements it cannot use or that break OpenVEX rules', () => {
    const doc = {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      statements: [
        { vulnerability: { name: 'CVE-1' }, products: [{ '@id': 'https://example.com/app' }], status: 'not_affected' },
        { vulnerability: { name: 'CVE-2' }, status: 'maybe' },
        { products: [] , status: 'fixed' },
        'nope',
      ],
    };
    const p = parseVexFile(jsonFile(doc));
    expect(p.value.map((s) => [s.vulnerability, s.products])).toEqual([['CVE-1', ['https://example.com/app']]]);
    expect(p.warnings).toEqual([
      'statements[0] (CVE-1) is not_affected without a justification or impact_statement, which OpenVEX requires',
      'statements[1] (CVE-2) has status "maybe", not one of not_affected, affected, fixed, under_investigation; skipped',
      'statements[2] names no vulnerability; skipped',
      'statements[3] is not an object; skipped',
      '1 products are not package URLs; genops matches findings by purl, so they match none',
    ]);
  });

  it('rejects an OpenVEX document without statements', () => {
    expect(configError(() => parseVexFile(jsonFile({ '@context': 'https://openvex.dev/ns/v0.2.0' }))).message).toContain('without a `statements` array');
  });
});

describe('CycloneDX VEX', () => {
  const parsed = parseVexFile(fixture('vex/cyclonedx-vex.json'));

  it('maps analysis states to VEX statuses', () => {
    expect(parsed.format).toBe('cyclonedx-vex-json@1.5');
    expect(parsed.value.map((s) => [s.vulnerability, s.status])).toEqual([
      ['CVE-2021-44906', 'fixed'],
      ['GHSA-r683-j2x4-v87g', 'not_affected'],
      ['CVE-2021-3749', 'under_investigation'],
      ['CVE-2021-3121', 'affected'],
    ]);
  });

  it('resolves affects refs through bom-refs, BOM-Links and nested components', () => {
    expect(parsed.value.map((s) => s.products)).toEqual([
      ['pkg:npm/minimist@1.2.5'],
      ['pkg:npm/node-fetch@2.6.1'],
      ['pkg:npm/axios@0.21.1'],
      ['pkg:golang/github.com/gogo/protobuf@1.3.1', 'unknown-ref'],
    ]);
    expect(parsed.warnings).toEqual([
      '1 vulnerabilities have no analysis.state, so they are not VEX statements',
      '1 affects[].ref values name no component with a purl in this BOM; they match no finding',
    ]);
  });

  it('keeps references as aliases, detail as impact, responses as action, and the analysis time', () => {
    expect(parsed.value[0]).toEqual({
      vulnerability: 'CVE-2021-44906',
      aliases: ['GHSA-xvch-5gv4-984h'],
      products: ['pkg:npm/minimist@1.2.5'],
      status: 'fixed',
      impact: 'minimist is forced to 1.2.8 through npm overrides in package.json; the lockfile entry is stale.',
      actionStatement: 'update',
      source: 'fixtures/evidence/vex/cyclonedx-vex.json',
      timestamp: '2025-03-04T08:00:00Z',
    });
    // false_positive is not_affected, and says so as its justification.
    expect(parsed.value[1]).toMatchObject({ aliases: ['CVE-2022-0235'], justification: 'false_positive', timestamp: '2025-03-03T12:00:00Z' });
    expect(parsed.value[3]?.actionStatement).toBe('will_not_fix, workaround_available');
    // No analysis time: the BOM's metadata.timestamp.
    expect(parsed.value[3]?.timestamp).toBe('2025-03-04T08:00:00Z');
  });

  it('rejects a CycloneDX SBOM without vulnerabilities, with a hint', () => {
    const err = configError(() => parseVexFile(jsonFile({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [] })));
    expect(err.details.hint).toContain('sbom');
  });

  it('warns about unknown analysis states and skips them', () => {
    const p = parseVexFile(jsonFile({ bomFormat: 'CycloneDX', specVersion: '1.4', vulnerabilities: [{ id: 'CVE-9', analysis: { state: 'fine' } }, { analysis: { state: 'resolved' } }] }));
    expect(p.value).toEqual([]);
    expect(p.warnings).toEqual([
      'vulnerabilities[0] (CVE-9) has analysis.state "fine", which is not a CycloneDX impact analysis state; skipped',
      'vulnerabilities[1] has no id; skipped',
    ]);
  });
});

describe('VEX detection', () => {
  it('lists the supported formats and points CSAF users to a converter', () => {
    const err = configError(() => parseVexFile(jsonFile({ document: { category: 'csaf_vex' } }, 'vex/csaf.json')));
    expect(err.message).toBe('vex/csaf.json: is not a VEX document genops recognizes');
    expect(err.details.expected).toContain('OpenVEX');
    expect(err.details.expected).toContain('CycloneDX VEX');
    expect(err.details.hint).toContain('CSAF');
    configError(() => parseVexFile(jsonFile([1, 2])));
  });
});
