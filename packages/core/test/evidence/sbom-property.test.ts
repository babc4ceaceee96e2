/**
 * Property tests: whatever parseSbomFile gets, it returns evidence the evidence schema accepts or
 * throws a ConfigError; diffSboms accounts for every component and is symmetric.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Component, DependencyScope, SbomEvidence } from '../../src/evidence/model.js';
import { diffSboms } from '../../src/evidence/sbom/diff.js';
import { parseSbomFile } from '../../src/evidence/sbom/index.js';
import type { SourceFile } from '../../src/evidence/source.js';
import { evidenceDef, fixtureText, jsonFile, jsonPaths, mutateAt, returnsOrConfigError, sourceFile } from './helpers.js';

const RUNS = { numRuns: 200, seed: 42 };
const HEX_DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f', 'A', 'F'];
const validSbom = evidenceDef('sbom');
const validDiff = evidenceDef('sbomDiff');

function parsesToValidEvidence(file: SourceFile): boolean {
  let sbom: SbomEvidence | undefined;
  const ok = returnsOrConfigError(() => {
    sbom = parseSbomFile(file).value;
  });
  if (sbom !== undefined) {
    expect(validSbom(sbom)).toEqual([]);
    const t = sbom.totals;
    expect(t.components).toBe(sbom.components.length);
    expect(t.direct + t.transitive + t.unknownScope).toBe(t.components);
  }
  return ok;
}

describe('parseSbomFile on arbitrary input', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => parsesToValidEvidence(sourceFile('sbom.json', bytes))),
      RUNS,
    );
  });

  it('random JSON, bare and under each format’s detection keys', () => {
    const any = fc.jsonValue({ maxDepth: 4 });
    const doc = fc.oneof(
      fc.jsonValue({ maxDepth: 6 }),
      fc.record({
        bomFormat: fc.constant('CycloneDX'),
        specVersion: fc.constantFrom('1.2', '1.3', '1.4', '1.5', '1.6', '1.7', 1.4),
        metadata: fc.option(fc.record({ component: any }), { nil: undefined }),
        components: fc.array(any, { maxLength: 5 }),
        dependencies: fc.option(fc.array(any, { maxLength: 5 }), { nil: undefined }),
      }),
      fc.record({
        spdxVersion: fc.constantFrom('SPDX-2.3', 'SPDX-2.2', 'SPDX-2.1'),
        SPDXID: fc.option(fc.string(), { nil: undefined }),
        packages: fc.array(any, { maxLength: 5 }),
        relationships: fc.array(any, { maxLength: 5 }),
        documentDescribes: fc.option(fc.array(fc.string(), { maxLength: 3 }), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(doc, (d) => parsesToValidEvidence(jsonFile(d))),
      RUNS,
    );
  });

  it('random CycloneDX-shaped components and graphs', () => {
    const ref = fc.constantFrom('a', 'b', 'c', 'root', 'ghost');
    const license = fc.oneof(
      fc.record({ license: fc.record({ id: fc.constantFrom('MIT', 'Apache-2.0', 'NOASSERTION', 'mit', '') }) }),
      fc.record({ license: fc.record({ name: fc.string({ maxLength: 5000 }) }) }),
      fc.record({ expression: fc.constantFrom('MIT OR Apache-2.0', '(MIT', 'MIT AND', 'GPL-2.0-only WITH Classpath-exception-2.0') }),
    );
    const component: fc.Arbitrary<Record<string, unknown>> = fc.record(
      {
        type: fc.constantFrom('library', 'application', 'LIBRARY'),
        name: fc.oneof(fc.string({ maxLength: 3000 }), fc.integer()),
        version: fc.oneof(fc.constantFrom('1.0.0', 'v2', '1.2.3.4', ''), fc.string({ maxLength: 400 })),
        'bom-ref': ref,
        purl: fc.oneof(fc.constantFrom('pkg:npm/a@1', 'pkg:npm/%40s/a@2?x=y#p', 'not-a-purl', 'pkg:'), fc.string({ maxLength: 5000 })),
        licenses: fc.array(license, { maxLength: 80 }),
        hashes: fc.array(fc.record({ alg: fc.constantFrom('SHA-256', 'SHA-512', 'MD5', 'X'.repeat(100)), content: fc.oneof(fc.string({ unit: fc.constantFrom(...HEX_DIGITS), maxLength: 2000 }), fc.string()) }), { maxLength: 20 }),
      },
      { requiredKeys: [] },
    );
    const doc = fc.record({
      bomFormat: fc.constant('CycloneDX'),
      specVersion: fc.constant('1.6'),
      metadata: fc.record({ component: fc.record({ type: fc.constant('application'), name: fc.string({ maxLength: 2000 }), 'bom-ref': ref }) }),
      components: fc.array(component, { maxLength: 6 }),
      dependencies: fc.array(fc.record({ ref, dependsOn: fc.array(ref, { maxLength: 4 }) }), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(doc, (d) => parsesToValidEvidence(jsonFile(d))),
      RUNS,
    );
  });

  it('random text after a CycloneDX XML root', () => {
    const body = fc.array(
      fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.constantFrom('<components>', '</components>', '<component type="library" bom-ref="a">', '</component>', '<name>x</name>', '<version>1</version>', '<dependencies><dependency ref="a"/></dependencies>', '<licenses><expression>MIT</expression></licenses>', '&amp;', '&#0;', '<![CDATA[x]]>'),
      ),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(fc.constantFrom('1.2', '1.4', '1.6', '1.1'), body, (version, parts) =>
        parsesToValidEvidence(sourceFile('bom.xml', `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/${version}">${parts.join('')}</bom>`)),
      ),
      RUNS,
    );
  });

  for (const name of ['orders-api.head.cdx.json', 'pyenv.cdx-1.2.json', 'flask-service.spdx.json']) {
    it(`mutated ${name}`, () => {
      const doc = JSON.parse(fixtureText(`sbom/${name}`)) as unknown;
      const paths = jsonPaths(doc);
      fc.assert(
        fc.property(
          fc.nat({ max: paths.length - 1 }),
          fc.option(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 20_000 }), fc.constantFrom('NOASSERTION', 'pkg:npm/x', '1.7', 'SPDX-2.2', '__proto__', 'DEPENDS_ON')), { nil: undefined }),
          (at, value) => parsesToValidEvidence(jsonFile(mutateAt(doc, paths[at] ?? [], value))),
        ),
        RUNS,
      );
    });
  }

  it('mutated release-notes-cli.cdx-1.4.xml (characters replaced, removed or inserted)', () => {
    const text = fixtureText('sbom/release-notes-cli.cdx-1.4.xml');
    fc.assert(
      fc.property(fc.nat({ max: text.length - 1 }), fc.nat({ max: 40 }), fc.string({ maxLength: 8 }), (at, cut, insert) =>
        parsesToValidEvidence(sourceFile('bom.xml', text.slice(0, at) + insert + text.slice(at + cut))),
      ),
      RUNS,
    );
  });
});

describe('diffSboms on arbitrary component lists', () => {
  const version = fc.oneof(fc.constantFrom('1.0.0', '1.2.0', '2.0.0', '2.0.0-rc.1', 'v2.0.0', '1.2.3.4', '2023.7.22', 'abc', '1.0.0+b'), fc.string({ maxLength: 6 }));
  const component: fc.Arbitrary<Component> = fc
    .record({
      name: fc.constantFrom('a', 'b', 'c'),
      group: fc.option(fc.constantFrom('g', 'h'), { nil: undefined }),
      version: fc.option(version, { nil: undefined }),
      withPurl: fc.boolean(),
      licenses: fc.uniqueArray(fc.constantFrom('MIT', 'ISC', 'Apache-2.0'), { maxLength: 2 }),
      scope: fc.constantFrom<DependencyScope>('direct', 'transitive', 'unknown'),
    })
    .map(({ withPurl, ...c }) => {
      const out: Component = { name: c.name, licenses: c.licenses, scope: c.scope };
      if (c.group !== undefined) out.group = c.group;
      if (c.version !== undefined) out.version = c.version;
      if (withPurl) out.purl = `pkg:npm/${c.name}${c.version === undefined ? '' : `@${encodeURIComponent(c.version)}`}`;
      return out;
    });
  const sbom = (components: Component[]): SbomEvidence => ({
    standard: 'cyclonedx',
    specVersion: '1.6',
    components,
    totals: { components: components.length, direct: 0, transitive: 0, unknownScope: 0, withoutLicense: 0 },
  });

  it('accounts for every component, is symmetric and order-independent, and fits the evidence schema', () => {
    fc.assert(
      fc.property(fc.array(component, { maxLength: 12 }), fc.array(component, { maxLength: 12 }), (b, h) => {
        const d = diffSboms(sbom(b), sbom(h));
        expect(validDiff(d)).toEqual([]);
        // Every base component is removed or paired, every head one added or paired.
        expect(d.added.length - d.removed.length).toBe(h.length - b.length);
        for (const c of [...d.upgraded, ...d.downgraded, ...d.changed]) expect(c.from).not.toBe(c.to);
        const back = diffSboms(sbom(h), sbom(b));
        expect(back.added.length).toBe(d.removed.length);
        expect(back.upgraded.length).toBe(d.downgraded.length);
        expect(back.changed.length).toBe(d.changed.length);
        expect(back.licenseChanged.length).toBe(d.licenseChanged.length);
        expect(diffSboms(sbom([...b].reverse()), sbom([...h].reverse()))).toEqual(d);
        const same = diffSboms(sbom(b), sbom(b));
        expect([same.added, same.removed, same.upgraded, same.downgraded, same.changed, same.licenseChanged].every((l) => l.length === 0)).toBe(true);
      }),
      RUNS,
    );
  });
});
