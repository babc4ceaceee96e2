import { describe, expect, it } from '@jest/globals';
import { buildPurl, parsePurl, purlFromOsvEcosystem } from '../../src/evidence/vulns/purl.js';
import { cvss3BaseScore, cvssVersionOf, severityFromSarifLevel, severityFromScore, severityFromWord, severityOf } from '../../src/evidence/vulns/severity.js';

describe('severity', () => {
  it('maps CVSS scores in the 9.0 / 7.0 / 4.0 / 0.1 bands', () => {
    expect([10, 9.0, 8.9, 7.0, 6.9, 4.0, 3.9, 0.1, 0].map(severityFromScore)).toEqual(['critical', 'critical', 'high', 'high', 'medium', 'medium', 'low', 'low', 'none']);
  });

  it('maps scanner words, case-insensitively', () => {
    expect(['CRITICAL', 'High', 'moderate', 'MEDIUM', 'Negligible', 'info', 'Unknown', 'weird', undefined].map(severityFromWord)).toEqual([
      'critical',
      'high',
      'medium',
      'medium',
      'low',
      'none',
      'unknown',
      'unknown',
      'unknown',
    ]);
    expect(severityOf('UNKNOWN', 9.8)).toBe('critical');
    expect(severityOf('low', 9.8)).toBe('low');
  });

  it('maps SARIF levels', () => {
    expect(['error', 'warning', 'note', 'none', 'fatal'].map(severityFromSarifLevel)).toEqual(['high', 'medium', 'low', 'none', 'unknown']);
  });

  it('computes CVSS v3 base scores as the specification does', () => {
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe(9.8);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H')).toBe(7.2);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H')).toBe(7.5);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N')).toBe(6.1);
    expect(cvss3BaseScore('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H')).toBe(10);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:H')).toBe(8.6);
    expect(cvss3BaseScore('CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N')).toBe(1.6);
    expect(cvss3BaseScore('CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N')).toBe(0);
    // Temporal metrics after the base ones do not change the base score.
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O')).toBe(9.8);
  });

  it('gives no score for other versions or incomplete vectors', () => {
    expect(cvss3BaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBeUndefined();
    expect(cvss3BaseScore('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBeUndefined();
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H')).toBeUndefined();
    expect(cvss3BaseScore('CVSS:3.1/AV:constructor/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBeUndefined();
  });

  it('reads the CVSS version of a vector', () => {
    expect(cvssVersionOf('CVSS:3.1/AV:N')).toBe('3.1');
    expect(cvssVersionOf('CVSS:4.0/AV:N')).toBe('4.0');
    expect(cvssVersionOf('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBe('2.0');
    expect(cvssVersionOf('nonsense')).toBeUndefined();
  });
});

describe('purl', () => {
  it('parses type, path and version, ignoring qualifiers and subpath', () => {
    expect(parsePurl('pkg:npm/%40babel/core@7.23.0?foo=bar#lib')).toEqual({ type: 'npm', path: '@babel/core', version: '7.23.0' });
    expect(parsePurl('pkg:npm/@babel/core')).toEqual({ type: 'npm', path: '@babel/core' });
    expect(parsePurl('pkg:PYPI/PyYAML_x@6.0')).toEqual({ type: 'pypi', path: 'pyyaml-x', version: '6.0' });
    expect(parsePurl('pkg:golang/github.com/gogo/protobuf@v1.3.1')).toEqual({ type: 'golang', path: 'github.com/gogo/protobuf', version: 'v1.3.1' });
    expect(parsePurl('pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64')).toEqual({ type: 'deb', path: 'debian/libc6', version: '2.36-9+deb12u3' });
    for (const bad of ['', 'npm/a@1', 'pkg:', 'pkg:npm', 'pkg:/a', 'pkg:npm/']) expect(parsePurl(bad)).toBeUndefined();
  });

  it('builds purls with encoded segments', () => {
    expect(buildPurl('npm', '@babel', 'core', '7.23.0')).toBe('pkg:npm/%40babel/core@7.23.0');
    expect(buildPurl('maven', 'org.apache.logging.log4j', 'log4j-core', '2.14.1')).toBe('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1');
    expect(buildPurl('deb', 'debian', 'libc6', '1:2.36+b1')).toBe('pkg:deb/debian/libc6@1:2.36%2Bb1');
  });

  it('builds purls from OSV ecosystems, and none for unknown ones', () => {
    expect(purlFromOsvEcosystem('npm', '@scope/pkg', '1.0.0')).toBe('pkg:npm/%40scope/pkg@1.0.0');
    expect(purlFromOsvEcosystem('PyPI', 'Django_Rest', '3.0')).toBe('pkg:pypi/django-rest@3.0');
    expect(purlFromOsvEcosystem('Go', 'golang.org/x/text', 'v0.3.5')).toBe('pkg:golang/golang.org/x/text@v0.3.5');
    expect(purlFromOsvEcosystem('Maven', 'org.yaml:snakeyaml', '1.33')).toBe('pkg:maven/org.yaml/snakeyaml@1.33');
    expect(purlFromOsvEcosystem('crates.io', 'regex', '1.5.1')).toBe('pkg:cargo/regex@1.5.1');
    expect(purlFromOsvEcosystem('Debian:12', 'openssl', '3.0.11-1')).toBe('pkg:deb/debian/openssl@3.0.11-1');
    expect(purlFromOsvEcosystem('Packagist', 'symfony/http-kernel', undefined)).toBe('pkg:composer/symfony/http-kernel');
    expect(purlFromOsvEcosystem('SwiftURL', 'github.com/x/y', '1.0')).toBeUndefined();
  });
});
