/** SBOM diff: the fixture pair to concrete changes, then pairing, version order and keys. */
import { describe, expect, it } from '@jest/globals';
import type { Component, SbomEvidence } from '../../src/evidence/model.js';
import { compareVersions, componentKey, diffSboms } from '../../src/evidence/sbom/diff.js';
import { parseSbomFile } from '../../src/evidence/sbom/index.js';
import { parsePurl, purlKey } from '../../src/evidence/sbom/purl.js';
import { evidenceDef, fixture } from './helpers.js';

const validDiff = evidenceDef('sbomDiff');

function sbom(components: Partial<Component>[]): SbomEvidence {
  const full = components.map((c) => ({ name: 'x', licenses: [], scope: 'unknown' as const, ...c }));
  return {
    standard: 'cyclonedx',
    specVersion: '1.6',
    components: full,
    totals: { components: full.length, direct: 0, transitive: 0, unknownScope: full.length, withoutLicense: full.length },
  };
}

const npm = (name: string, version: string, licenses = ['MIT']): Partial<Component> => ({ name, version, purl: `pkg:npm/${name}@${version}`, licenses });

describe('diffSboms on the base and head SBOMs of orders-api', () => {
  const base = parseSbomFile(fixture('sbom/orders-api.base.cdx.json')).value;
  const head = parseSbomFile(fixture('sbom/orders-api.head.cdx.json')).value;
  const diff = diffSboms(base, head);

  it('finds the added, removed, upgraded, downgraded and relicensed packages', () => {
    expect(diff).toEqual({
      added: [
        { key: 'pkg:npm/detect-europe-js', name: 'detect-europe-js', purl: 'pkg:npm/detect-europe-js@0.1.2', to: '0.1.2', licensesTo: ['MIT'], scope: 'transitive' },
        { key: 'pkg:npm/dotenv', name: 'dotenv', purl: 'pkg:npm/dotenv@16.4.7', to: '16.4.7', licensesTo: ['BSD-2-Clause'], scope: 'direct' },
        { key: 'pkg:npm/is-standalone-pwa', name: 'is-standalone-pwa', purl: 'pkg:npm/is-standalone-pwa@0.1.1', to: '0.1.1', licensesTo: ['MIT'], scope: 'transitive' },
        { key: 'pkg:npm/ua-is-frozen', name: 'ua-is-frozen', purl: 'pkg:npm/ua-is-frozen@0.1.2', to: '0.1.2', licensesTo: ['MIT'], scope: 'transitive' },
      ],
      removed: [{ key: 'pkg:npm/uuid', name: 'uuid', purl: 'pkg:npm/uuid@11.0.3', from: '11.0.3', licensesFrom: ['MIT'], scope: 'direct' }],
      upgraded: [{ key: 'pkg:npm/ua-parser-js', name: 'ua-parser-js', purl: 'pkg:npm/ua-parser-js@2.0.0', from: '1.0.39', to: '2.0.0', scope: 'direct' }],
      downgraded: [{ key: 'pkg:npm/helmet', name: 'helmet', purl: 'pkg:npm/helmet@7.2.0', from: '8.0.0', to: '7.2.0', scope: 'direct' }],
      changed: [],
      licenseChanged: [
        {
          key: 'pkg:npm/ua-parser-js',
          name: 'ua-parser-js',
          purl: 'pkg:npm/ua-parser-js@2.0.0',
          from: '1.0.39',
          to: '2.0.0',
          licensesFrom: ['MIT'],
          licensesTo: ['AGPL-3.0-or-later'],
          scope: 'direct',
        },
      ],
    });
    expect(validDiff(diff)).toEqual([]);
  });

  it('npm duplicates (ms 2.0.0 and 2.1.3 on both sides) are unchanged, and reversing swaps the lists', () => {
    const back = diffSboms(head, base);
    expect(back.added.map((c) => c.key)).toEqual(['pkg:npm/uuid']);
    expect(back.removed.map((c) => c.key)).toEqual(['pkg:npm/detect-europe-js', 'pkg:npm/dotenv', 'pkg:npm/is-standalone-pwa', 'pkg:npm/ua-is-frozen']);
    expect(back.upgraded.map((c) => [c.key, c.from, c.to])).toEqual([['pkg:npm/helmet', '7.2.0', '8.0.0']]);
    expect(back.downgraded.map((c) => [c.key, c.from, c.to])).toEqual([['pkg:npm/ua-parser-js', '2.0.0', '1.0.39']]);
    expect(diffSboms(head, head)).toEqual({ added: [], removed: [], upgraded: [], downgraded: [], changed: [], licenseChanged: [] });
  });
});

describe('pairing several versions of one package', () => {
  const versions = (d: ReturnType<typeof diffSboms>) => ({
    added: d.added.map((c) => c.to),
    removed: d.removed.map((c) => c.from),
    upgraded: d.upgraded.map((c) => `${c.from ?? ''}->${c.to ?? ''}`),
    downgraded: d.downgraded.map((c) => `${c.from ?? ''}->${c.to ?? ''}`),
  });

  it('equal versions pair first, then the same major, highest with highest; the rest is added or removed', () => {
    expect(versions(diffSboms(sbom([npm('ms', '2.0.0'), npm('ms', '2.1.2')]), sbom([npm('ms', '2.1.3'), npm('ms', '2.0.0')])))).toEqual({
      added: [],
      removed: [],
      upgraded: ['2.1.2->2.1.3'],
      downgraded: [],
    });
    expect(versions(diffSboms(sbom([npm('a', '1.0.0'), npm('a', '2.0.0')]), sbom([npm('a', '2.1.0')])))).toEqual({
      added: [],
      removed: ['1.0.0'],
      upgraded: ['2.0.0->2.1.0'],
      downgraded: [],
    });
    expect(versions(diffSboms(sbom([npm('a', '1.0.0')]), sbom([npm('a', '2.0.0'), npm('a', '3.0.0')])))).toEqual({
      added: ['2.0.0'],
      removed: [],
      upgraded: ['1.0.0->3.0.0'],
      downgraded: [],
    });
    expect(versions(diffSboms(sbom([npm('a', '1.2.0'), npm('a', '3.0.0')]), sbom([npm('a', '1.2.0'), npm('a', '3.0.0'), npm('a', '3.1.0')])))).toEqual({
      added: ['3.1.0'],
      removed: [],
      upgraded: [],
      downgraded: [],
    });
    // Two copies of one version on each side are two unchanged pairs.
    expect(versions(diffSboms(sbom([npm('a', '1.0.0'), npm('a', '1.0.0')]), sbom([npm('a', '1.0.0'), npm('a', '1.0.0'), npm('a', '1.0.0')])))).toEqual({
      added: ['1.0.0'],
      removed: [],
      upgraded: [],
      downgraded: [],
    });
  });

  it('a license change at the same version is only a license change', () => {
    const d = diffSboms(sbom([npm('a', '1.0.0', ['MIT'])]), sbom([npm('a', '1.0.0', ['MIT', 'Apache-2.0'])]));
    expect(d.upgraded).toEqual([]);
    expect(d.licenseChanged).toEqual([{ key: 'pkg:npm/a', name: 'a', purl: 'pkg:npm/a@1.0.0', from: '1.0.0', to: '1.0.0', licensesFrom: ['MIT'], licensesTo: ['Apache-2.0', 'MIT'], scope: 'unknown' }]);
    // Order of licenses is not a change.
    expect(diffSboms(sbom([npm('a', '1.0.0', ['MIT', 'ISC'])]), sbom([npm('a', '1.0.0', ['ISC', 'MIT'])])).licenseChanged).toEqual([]);
  });

  it('is the same whatever the order of the components', () => {
    const base = sbom([npm('b', '1.0.0'), npm('a', '1.0.0'), npm('a', '2.0.0', ['ISC']), { name: 'c', group: 'org.x', version: '1' }, npm('a', '2.0.0')]);
    const head = sbom([npm('a', '2.0.0', ['MIT']), npm('a', '1.5.0'), { name: 'c', group: 'org.x', version: '2' }, npm('d', '0.1.0')]);
    const expected = diffSboms(base, head);
    const reversed = diffSboms({ ...base, components: [...base.components].reverse() }, { ...head, components: [...head.components].reverse() });
    expect(reversed).toEqual(expected);
    expect(expected.upgraded.map((c) => [c.key, c.from, c.to])).toEqual([
      ['org.x/c', '1', '2'],
      ['pkg:npm/a', '1.0.0', '1.5.0'],
    ]);
    expect(expected.removed.map((c) => [c.key, c.from])).toEqual([
      ['pkg:npm/a', '2.0.0'],
      ['pkg:npm/b', '1.0.0'],
    ]);
  });
});

describe('version order', () => {
  it('uses semver (loosely), then dotted numbers, then coerced semver; else not comparable', () => {
    const cases: [string | undefined, string | undefined, number | undefined][] = [
      ['1.9.0', '1.10.0', -1],
      ['v1.2.3', '1.2.4', -1],
      ['2.0.0', '2.0.0-rc.1', 1],
      ['2023.7.22', '2024.8.30', -1],
      ['1.2.3.4', '1.2.3.10', -1],
      ['1.2', '1.2.0.0', 0],
      ['20240101123000123456', '20240101123000123457', -1],
      ['2.0.0.Final', '2.0.1.Final', -1],
      ['1.0rc1', '1.1rc1', -1],
      ['1.0.0+build1', '1.0.0+build2', 0],
      ['1.0.0.Final', '1.0.0.GA', undefined],
      ['abc', 'def', undefined],
      [undefined, '1.0.0', undefined],
    ];
    for (const [a, b, expected] of cases) expect([a, b, compareVersions(a, b)]).toEqual([a, b, expected]);
  });

  it('puts versions it cannot order in `changed`', () => {
    const d = diffSboms(sbom([npm('a', 'abc'), npm('b', '1.0.0+1')]), sbom([npm('a', 'def'), npm('b', '1.0.0+2')]));
    expect(d.changed.map((c) => [c.key, c.from, c.to])).toEqual([
      ['pkg:npm/a', 'abc', 'def'],
      ['pkg:npm/b', '1.0.0+1', '1.0.0+2'],
    ]);
  });
});

describe('component keys', () => {
  it('are the purl without version, qualifiers or subpath, else group/name', () => {
    expect(componentKey({ name: 'core', purl: 'pkg:npm/%40babel/core@7.26.0?vcs_url=git%2Bhttps%3A//x#packages/core' })).toBe('pkg:npm/@babel/core');
    expect(componentKey({ name: 'core', purl: 'pkg:npm/@babel/core@7.25.0' })).toBe('pkg:npm/@babel/core');
    expect(componentKey({ name: 'core', purl: 'pkg:npm/@babel/core' })).toBe('pkg:npm/@babel/core');
    expect(componentKey({ name: 'PyYAML', purl: 'pkg:pypi/PyYAML@6.0.1' })).toBe('pkg:pypi/pyyaml');
    expect(componentKey({ name: 'slf4j-api', group: 'org.slf4j' })).toBe('org.slf4j/slf4j-api');
    expect(componentKey({ name: 'left-pad', purl: 'not a purl' })).toBe('left-pad');
  });

  it('parsePurl reads type, namespace, name and version', () => {
    expect(parsePurl('pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1?type=jar')).toEqual({
      type: 'maven',
      namespace: 'org.apache.logging.log4j',
      name: 'log4j-core',
      version: '2.17.1',
    });
    expect(parsePurl('pkg:golang/github.com/gorilla/mux@v1.8.0')).toEqual({ type: 'golang', namespace: 'github.com/gorilla', name: 'mux', version: 'v1.8.0' });
    expect(parsePurl('pkg://NPM/x@1')).toEqual({ type: 'npm', name: 'x', version: '1' });
    expect(parsePurl('pkg:deb/debian/curl@7.50.3-1%2Bdeb9u1?arch=amd64')).toEqual({ type: 'deb', namespace: 'debian', name: 'curl', version: '7.50.3-1+deb9u1' });
    for (const bad of ['', 'npm/x@1', 'pkg:', 'pkg:npm', 'pkg:/x', 'pkg:npm/']) expect(parsePurl(bad)).toBeUndefined();
    expect(purlKey('pkg:npm/%E0%A4%A@1')).toBe('pkg:npm/%E0%A4%A');
  });
});
