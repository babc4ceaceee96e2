import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../src/evidence/model.js';
import { parseVulnerabilityFile } from '../../src/evidence/vulns/index.js';
import { trivyFixedVersions } from '../../src/evidence/vulns/trivy.js';
import { configError, fixture, fixtureText, jsonFile, sourceFile } from './helpers.js';

function find(findings: Finding[], id: string, purl?: string): Finding {
  const f = findings.find((x) => x.id === id && (purl === undefined || x.purl === purl));
  if (f === undefined) throw new Error(`no finding ${id}`);
  return f;
}

describe('Grype JSON', () => {
  const parsed = parseVulnerabilityFile(fixture('vulns/grype.json'));

  it('reads every match as a dependency finding', () => {
    expect(parsed.format).toBe('grype-json');
    expect(parsed.parser.name).toBe('genops/grype');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.value.map((f) => f.id)).toEqual(['CVE-2021-23337', 'CVE-2020-28500', 'CVE-2021-44906', 'CVE-2021-3749', 'CVE-2022-0235', 'CVE-2022-25883']);
    expect(parsed.value.every((f) => f.kind === 'dependency' && f.tools.join() === 'grype')).toBe(true);
  });

  it('makes the related CVE primary and keeps the GHSA as alias', () => {
    const lodash = find(parsed.value, 'CVE-2021-23337');
    expect(lodash).toEqual({
      id: 'CVE-2021-23337',
      aliases: ['GHSA-35jh-r3h4-6jhm'],
      kind: 'dependency',
      tools: ['grype'],
      severity: 'high',
      cvss: { score: 7.2, vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', version: '3.1' },
      purl: 'pkg:npm/lodash@4.17.20',
      package: { name: 'lodash', version: '4.17.20', ecosystem: 'npm' },
      fixedIn: ['4.17.21'],
      fixAvailable: true,
      locations: [{ path: 'package-lock.json' }],
      suppressed: false,
    });
  });

  it('maps severities and scores', () => {
    expect(find(parsed.value, 'CVE-2021-44906')).toMatchObject({ severity: 'critical', cvss: { score: 9.8 }, fixedIn: ['1.2.6'] });
    expect(find(parsed.value, 'CVE-2022-25883')).toMatchObject({ severity: 'medium', cvss: { score: 5.3 }, purl: 'pkg:npm/semver@7.3.7' });
  });

  it('falls back to the CVSS band for Unknown, counts Negligible as low, and drops image paths', () => {
    const doc = {
      matches: [
        {
          vulnerability: { id: 'CVE-2023-0001', severity: 'Unknown', cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', metrics: { baseScore: 9.8 } }], fix: { versions: [], state: 'not-fixed' } },
          relatedVulnerabilities: [],
          artifact: { name: 'libc6', version: '2.36-9', type: 'deb', purl: 'pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12', locations: [{ path: '/var/lib/dpkg/status' }] },
        },
        { vulnerability: { id: 'CVE-2005-2541', severity: 'Negligible', fix: { versions: [], state: 'wont-fix' } }, artifact: { name: 'tar', version: '1.34', type: 'deb' } },
        { vulnerability: { severity: 'High' }, artifact: { name: 'x' } },
      ],
      source: { type: 'image', target: { userInput: 'debian:12' } },
      descriptor: { name: 'grype', version: '0.87.0' },
    };
    const p = parseVulnerabilityFile(jsonFile(doc));
    expect(p.value[0]).toMatchObject({ severity: 'critical', fixAvailable: false, fixedIn: [], locations: [], package: { name: 'libc6', version: '2.36-9', ecosystem: 'deb' } });
    expect(p.value[1]).toMatchObject({ id: 'CVE-2005-2541', severity: 'low', package: { name: 'tar', version: '1.34', ecosystem: 'deb' } });
    expect(p.value[1]?.cvss).toBeUndefined();
    expect(p.warnings).toEqual(['1 matches have no vulnerability id and were skipped']);
  });
});

describe('Trivy JSON', () => {
  const parsed = parseVulnerabilityFile(fixture('vulns/trivy.json'));

  it('reads the vulnerabilities of every lockfile target and counts misconfigurations', () => {
    expect(parsed.format).toBe('trivy-json@2');
    expect(parsed.value.map((f) => f.id)).toEqual(['CVE-2021-23337', 'CVE-2021-44906', 'CVE-2022-25883', 'CVE-2023-30861', 'GHSA-2g68-c3qc-8985']);
    expect(parsed.warnings).toEqual(['1 Misconfigurations in the report are not vulnerabilities and were left out']);
  });

  it('keeps lockfile lines, purl, and CVSS from the severity source', () => {
    expect(find(parsed.value, 'CVE-2021-23337')).toEqual({
      id: 'CVE-2021-23337',
      aliases: [],
      kind: 'dependency',
      tools: ['trivy'],
      severity: 'high',
      cvss: { score: 7.2, vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', version: '3.1' },
      purl: 'pkg:npm/lodash@4.17.20',
      package: { name: 'lodash', version: '4.17.20', ecosystem: 'npm' },
      fixedIn: ['4.17.21'],
      fixAvailable: true,
      title: 'nodejs-lodash: command injection via template',
      locations: [{ path: 'package-lock.json', startLine: 1021, endLine: 1025 }],
      suppressed: false,
    });
    // SeveritySource ghsa (5.3) wins over NVD's 7.5.
    expect(find(parsed.value, 'CVE-2022-25883')).toMatchObject({ severity: 'medium', cvss: { score: 5.3 }, fixedIn: ['7.5.2', '6.3.1', '5.7.2'] });
    expect(find(parsed.value, 'CVE-2023-30861')).toMatchObject({ purl: 'pkg:pypi/flask@2.2.2', fixedIn: ['2.3.2', '2.2.5'], locations: [{ path: 'api/poetry.lock', startLine: 212, endLine: 226 }] });
  });

  it('rates UNKNOWN severity by its CVSS score', () => {
    expect(find(parsed.value, 'GHSA-2g68-c3qc-8985')).toMatchObject({ severity: 'medium', cvss: { score: 6.1 }, locations: [{ path: 'api/poetry.lock' }] });
  });

  it('reads fixed versions from comparator lists', () => {
    expect(trivyFixedVersions('>= 3.1.0, >= 2.1.3, < 3.0.0')).toEqual(['3.1.0', '2.1.3']);
    expect(trivyFixedVersions('1.2.6, 0.2.4')).toEqual(['1.2.6', '0.2.4']);
    expect(trivyFixedVersions('>=4.17.11')).toEqual(['4.17.11']);
    expect(trivyFixedVersions('')).toEqual([]);
    expect(trivyFixedVersions(undefined)).toEqual([]);
  });

  it('keeps no locations for image scans and reads VendorIDs as aliases', () => {
    const doc = {
      SchemaVersion: 2,
      ArtifactName: 'alpine:3.17',
      ArtifactType: 'container_image',
      Results: [
        {
          Target: 'alpine:3.17 (alpine 3.17.3)',
          Class: 'os-pkgs',
          Type: 'alpine',
          Vulnerabilities: [{ VulnerabilityID: 'CVE-2023-2650', VendorIDs: ['DSA-5417-1'], PkgName: 'libssl3', InstalledVersion: '3.0.8-r4', FixedVersion: '3.0.9-r0', Status: 'fixed', Severity: 'MEDIUM' }],
        },
      ],
    };
    const [f] = parseVulnerabilityFile(jsonFile(doc)).value;
    expect(f).toMatchObject({ id: 'CVE-2023-2650', aliases: ['DSA-5417-1'], locations: [], package: { name: 'libssl3', version: '3.0.8-r4', ecosystem: 'alpine' } });
  });

  it('rejects SchemaVersion 1 and the pre-0.20 top-level array', () => {
    expect(configError(() => parseVulnerabilityFile(jsonFile({ SchemaVersion: 1, ArtifactName: 'x', Results: [] }))).message).toContain('SchemaVersion 1');
    expect(configError(() => parseVulnerabilityFile(jsonFile([{ Target: 'x', Vulnerabilities: null }]))).details.hint).toContain('Trivy before 0.20');
  });
});

describe('OSV-Scanner JSON', () => {
  const parsed = parseVulnerabilityFile(fixture('vulns/osv-scanner.json'));

  it('reads one finding per group with its source lockfile', () => {
    expect(parsed.format).toBe('osv-scanner-json');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.value.map((f) => [f.id, f.purl])).toEqual([
      ['CVE-2021-3749', 'pkg:npm/axios@0.21.1'],
      ['CVE-2022-0235', 'pkg:npm/node-fetch@2.6.1'],
      ['CVE-2021-3121', 'pkg:golang/github.com/gogo/protobuf@1.3.1'],
      ['CVE-2021-38561', 'pkg:golang/golang.org/x/text@0.3.5'],
    ]);
  });

  it('unites the ids of a group (GHSA + GO) and computes CVSS from the vector', () => {
    expect(find(parsed.value, 'CVE-2021-3121')).toEqual({
      id: 'CVE-2021-3121',
      aliases: ['GHSA-c3h9-896r-86jm', 'GO-2021-0053'],
      kind: 'dependency',
      tools: ['osv-scanner'],
      severity: 'high',
      cvss: { score: 8.6, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:H', version: '3.1' },
      purl: 'pkg:golang/github.com/gogo/protobuf@1.3.1',
      package: { name: 'github.com/gogo/protobuf', version: '1.3.1', ecosystem: 'golang' },
      fixedIn: ['1.3.2'],
      fixAvailable: true,
      title: 'Improper Input Validation in GoGo Protobuf',
      locations: [{ path: 'api/go.mod' }],
      suppressed: false,
    });
  });

  it('collects fixed events of every ECOSYSTEM range, not GIT commits', () => {
    expect(find(parsed.value, 'CVE-2022-0235').fixedIn).toEqual(['2.6.7', '3.1.1']);
    expect(find(parsed.value, 'CVE-2021-38561').fixedIn).toEqual(['0.3.7']);
  });

  it('leaves severity unknown when nothing rates it', () => {
    const xtext = find(parsed.value, 'CVE-2021-38561');
    expect(xtext.severity).toBe('unknown');
    expect(xtext.cvss).toBeUndefined();
  });

  it('reports records no group names, uses GHSA severity words, and reads v1 packageSource', () => {
    const doc = {
      results: [
        {
          packageSource: { path: 'requirements.txt', type: 'lockfile' },
          packages: [
            {
              package: { name: 'Django', version: '4.2.1', ecosystem: 'PyPI' },
              vulnerabilities: [{ id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2023-36053'], database_specific: { severity: 'MODERATE' } }, { id: 'PYSEC-2023-100' }],
              groups: [{ ids: ['GHSA-aaaa-bbbb-cccc'] }],
            },
          ],
        },
      ],
    };
    const p = parseVulnerabilityFile(jsonFile(doc));
    expect(p.value.map((f) => [f.id, f.severity, f.purl, f.locations[0]?.path])).toEqual([
      ['CVE-2023-36053', 'medium', 'pkg:pypi/django@4.2.1', 'requirements.txt'],
      ['PYSEC-2023-100', 'unknown', 'pkg:pypi/django@4.2.1', 'requirements.txt'],
    ]);
  });
});

describe('npm audit --json', () => {
  it('reads report version 2: one finding per advisory in via[], versionless purls', () => {
    const parsed = parseVulnerabilityFile(fixture('vulns/npm-audit-v2.json'));
    expect(parsed.format).toBe('npm-audit-json@2');
    expect(parsed.value.map((f) => [f.id, f.severity, f.purl])).toEqual([
      ['GHSA-35jh-r3h4-6jhm', 'high', 'pkg:npm/lodash'],
      ['GHSA-29mw-wpgm-hmr9', 'medium', 'pkg:npm/lodash'],
      ['GHSA-xvch-5gv4-984h', 'critical', 'pkg:npm/minimist'],
      ['GHSA-r683-j2x4-v87g', 'high', 'pkg:npm/node-fetch'],
    ]);
    expect(find(parsed.value, 'GHSA-r683-j2x4-v87g')).toEqual({
      id: 'GHSA-r683-j2x4-v87g',
      aliases: [],
      kind: 'dependency',
      tools: ['npm-audit'],
      severity: 'high',
      cvss: { score: 8.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', version: '3.1' },
      purl: 'pkg:npm/node-fetch',
      package: { name: 'node-fetch', ecosystem: 'npm' },
      fixedIn: ['2.6.7'],
      fixAvailable: true,
      title: 'node-fetch forwards secure headers to untrusted sites',
      locations: [],
      suppressed: false,
    });
    // mkdirp is vulnerable only through minimist: no finding of its own.
    expect(parsed.warnings).toEqual(['1 packages are vulnerable only through their dependencies; those advisories are reported under the dependencies']);
  });

  it('reads report version 1: one finding per installed version, CVE primary, lowest patched version', () => {
    const parsed = parseVulnerabilityFile(fixture('vulns/npm-audit-v1.json'));
    expect(parsed.format).toBe('npm-audit-json@1');
    expect(parsed.value.map((f) => [f.id, f.aliases, f.purl, f.fixedIn])).toEqual([
      ['https://npmjs.com/advisories/1179', [], 'pkg:npm/minimist@0.0.8', ['0.2.1']],
      ['CVE-2020-8203', ['GHSA-p6mc-m468-83gw'], 'pkg:npm/lodash@4.17.15', ['4.17.19']],
      ['CVE-2020-8203', ['GHSA-p6mc-m468-83gw'], 'pkg:npm/lodash@4.17.11', ['4.17.19']],
    ]);
    expect(parsed.value.every((f) => f.severity === 'low' && f.fixAvailable)).toBe(true);
  });

  it('encodes scoped package names in purls', () => {
    const doc = {
      auditReportVersion: 2,
      vulnerabilities: { '@babel/traverse': { name: '@babel/traverse', severity: 'critical', via: [{ source: 1, name: '@babel/traverse', url: 'https://github.com/advisories/GHSA-67hx-6x53-jw92', severity: 'critical', cvss: { score: 0, vectorString: null } }], fixAvailable: false } },
    };
    const [f] = parseVulnerabilityFile(jsonFile(doc)).value;
    expect(f).toMatchObject({ id: 'GHSA-67hx-6x53-jw92', purl: 'pkg:npm/%40babel/traverse', package: { name: '@babel/traverse' }, severity: 'critical', fixAvailable: false });
    expect(f?.cvss).toBeUndefined();
  });

  it('explains an npm error report instead of parsing it', () => {
    const err = configError(() => parseVulnerabilityFile(jsonFile({ error: { code: 'ENOLOCK', summary: 'This command requires an existing lockfile.' } })));
    expect(err.details.hint).toContain('npm error report (This command requires an existing lockfile.)');
  });
});

describe('format detection', () => {
  it('lists the supported formats for an unknown document', () => {
    const err = configError(() => parseVulnerabilityFile(jsonFile({ hello: 'world' }, 'reports/mystery.json')));
    expect(err.message).toBe('reports/mystery.json: is not a vulnerability report genops recognizes');
    expect(err.details.file).toBe('reports/mystery.json');
    for (const name of ['SARIF 2.1.0', 'Grype JSON', 'Trivy JSON', 'OSV-Scanner JSON', 'npm audit --json']) expect(err.details.expected).toContain(name);
  });

  it('says what a misfiled document is', () => {
    expect(configError(() => parseVulnerabilityFile(jsonFile({ bomFormat: 'CycloneDX', specVersion: '1.5' }))).details.hint).toContain('CycloneDX');
    expect(configError(() => parseVulnerabilityFile(fixture('vex/openvex.json'))).details.hint).toContain('OpenVEX');
    expect(configError(() => parseVulnerabilityFile(jsonFile({ results: [{ check_id: 'x' }], errors: [] }))).details.hint).toContain('Semgrep');
  });

  it('gives the line and column of broken JSON', () => {
    const text = fixtureText('vulns/grype.json').replace('"matches": [', '"matches": [,');
    const err = configError(() => parseVulnerabilityFile(sourceFile('reports/grype.json', text)));
    expect(err.details.line).toBe(2);
    expect(err.details.column).toBeGreaterThan(1);
  });

  it('rejects non-UTF-8 bytes and non-objects', () => {
    configError(() => parseVulnerabilityFile(sourceFile('r.json', new Uint8Array([0xff, 0xfe, 0x00, 0xd8]))));
    configError(() => parseVulnerabilityFile(sourceFile('r.json', '42')));
    configError(() => parseVulnerabilityFile(sourceFile('r.json', '')));
  });
});
