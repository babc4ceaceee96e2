/** SBOM parsing: each fixture read to concrete values, then the odd and the broken cases. */
import { describe, expect, it } from '@jest/globals';
import type { Component, SbomEvidence } from '../../src/evidence/model.js';
import { hashAlgorithm } from '../../src/evidence/sbom/common.js';
import { parseSbomFile } from '../../src/evidence/sbom/index.js';
import { DEFAULT_LIMITS } from '../../src/evidence/source.js';
import { configError, evidenceDef, fixture, fixtureText, jsonFile, sourceFile } from './helpers.js';

const validSbom = evidenceDef('sbom');

function byName(sbom: SbomEvidence, name: string, version?: string): Component {
  const found = sbom.components.filter((c) => c.name === name && (version === undefined || c.version === version));
  expect(found).toHaveLength(1);
  return found[0]!;
}

function names(sbom: SbomEvidence, scope: Component['scope']): string[] {
  return sbom.components.filter((c) => c.scope === scope).map((c) => `${c.group === undefined ? '' : `${c.group}/`}${c.name}@${c.version ?? ''}`).sort();
}

/** The head fixture as a JS object, to vary in tests. */
function headDoc(): Record<string, any> {
  return JSON.parse(fixtureText('sbom/orders-api.head.cdx.json')) as Record<string, any>;
}

function cdx(extra: Record<string, unknown>, specVersion = '1.6'): Record<string, unknown> {
  return { bomFormat: 'CycloneDX', specVersion, version: 1, ...extra };
}

describe('CycloneDX 1.6 JSON from cyclonedx-npm', () => {
  const head = parseSbomFile(fixture('sbom/orders-api.head.cdx.json'));
  const sbom = head.value;

  it('detects the format, validates against the official schema, finds the root', () => {
    expect(head.format).toBe('cyclonedx-json@1.6');
    expect(head.parser.name).toBe('genops/cyclonedx');
    expect(head.warnings).toEqual([]);
    expect(sbom.standard).toBe('cyclonedx');
    expect(sbom.specVersion).toBe('1.6');
    expect(sbom.schemaValid).toBe(true);
    expect(sbom.root).toEqual({ name: 'orders-api', version: '1.4.0', purl: 'pkg:npm/orders-api@1.4.0' });
    expect(validSbom(sbom)).toEqual([]);
  });

  it('flattens nested components and counts scopes from the dependency graph', () => {
    expect(sbom.totals).toEqual({ components: 80, direct: 5, transitive: 75, unknownScope: 0, withoutLicense: 0 });
    expect(names(sbom, 'direct')).toEqual(['cors@2.8.5', 'dotenv@16.4.7', 'express@4.21.2', 'helmet@7.2.0', 'ua-parser-js@2.0.0']);
    // send's own copies (node_modules/send/node_modules/...) next to the top-level ones.
    expect(sbom.components.filter((c) => c.name === 'ms').map((c) => [c.version, c.scope])).toEqual([
      ['2.0.0', 'transitive'],
      ['2.1.3', 'transitive'],
    ]);
    expect(sbom.components.filter((c) => c.name === 'encodeurl').map((c) => c.version).sort()).toEqual(['1.0.4', '2.0.3']);
  });

  it('reads purl, licenses, the distribution SHA-512 and the type', () => {
    expect(byName(sbom, 'express')).toEqual({
      name: 'express',
      version: '4.21.2',
      purl: 'pkg:npm/express@4.21.2',
      licenses: ['MIT'],
      hashes: {
        'sha-512': 'dbc1ea80c6409a28750b3b7d9f2eeaafa7a4daa75d17815c95b333c21091101e8e15f1fead7027b8d0b0a35ff016faed6e0b100dbe2449b5fd75ef6515bad79c',
      },
      scope: 'direct',
      type: 'library',
    });
    expect(byName(sbom, 'ua-parser-js').licenses).toEqual(['AGPL-3.0-or-later']);
    expect(byName(sbom, 'dotenv').licenses).toEqual(['BSD-2-Clause']);
    expect(byName(sbom, 'qs').licenses).toEqual(['BSD-3-Clause']);
    expect(byName(sbom, 'inherits').licenses).toEqual(['ISC']);
    expect(byName(sbom, 'ms', '2.1.3').hashes?.['sha-512']).toMatch(/^e85973b9b4cb646dc9d9afcd[0-9a-f]{104}$/);
  });

  it('reads the base branch SBOM of the same project', () => {
    const base = parseSbomFile(fixture('sbom/orders-api.base.cdx.json'));
    expect(base.warnings).toEqual([]);
    expect(base.value.root).toEqual({ name: 'orders-api', version: '1.3.2', purl: 'pkg:npm/orders-api@1.3.2' });
    expect(base.value.totals).toEqual({ components: 77, direct: 5, transitive: 72, unknownScope: 0, withoutLicense: 0 });
    expect(names(base.value, 'direct')).toEqual(['cors@2.8.5', 'express@4.21.2', 'helmet@8.0.0', 'ua-parser-js@1.0.39', 'uuid@11.0.3']);
    expect(byName(base.value, 'ua-parser-js').licenses).toEqual(['MIT']);
  });
});

describe('CycloneDX 1.4 XML from cyclonedx-npm 1.x', () => {
  const parsed = parseSbomFile(fixture('sbom/release-notes-cli.cdx-1.4.xml'));
  const sbom = parsed.value;

  it('detects the version from the namespace and reads the graph', () => {
    expect(parsed.format).toBe('cyclonedx-xml@1.4');
    expect(parsed.warnings).toEqual([]);
    expect(sbom.schemaValid).toBeUndefined();
    expect(sbom.root).toEqual({ name: 'release-notes-cli', version: '0.3.1', purl: 'pkg:npm/release-notes-cli@0.3.1' });
    expect(sbom.totals).toEqual({ components: 12, direct: 5, transitive: 7, unknownScope: 0, withoutLicense: 0 });
    expect(names(sbom, 'direct')).toEqual(['@types/semver@7.5.8', 'chalk@4.1.2', 'commander@11.1.0', 'pako@2.1.0', 'semver@7.5.4']);
    expect(validSbom(sbom)).toEqual([]);
  });

  it('reads groups, expressions and component hashes', () => {
    expect(byName(sbom, 'semver', '7.5.8')).toMatchObject({ group: '@types', purl: 'pkg:npm/%40types/semver@7.5.8', licenses: ['MIT'], scope: 'direct' });
    expect(byName(sbom, 'pako').licenses).toEqual(['(MIT AND Zlib)']);
    expect(byName(sbom, 'yallist')).toMatchObject({ version: '4.0.0', licenses: ['ISC'], scope: 'transitive', type: 'library' });
    expect(byName(sbom, 'ansi-styles').hashes).toEqual({
      'sha-512': 'cdb07dac22404f5adb8e25436f686a2851cd60bc60b64f0d511c59dc86700f717a36dc5b5d94029e74a2d4b931f880e885d3e5169db6db05402c885e64941212',
    });
  });

  it('reads a prefixed namespace and nested components', () => {
    const xml = `<?xml version="1.0"?>
<!-- generated -->
<cdx:bom xmlns:cdx="http://cyclonedx.org/schema/bom/1.5" version="1">
  <cdx:metadata><cdx:component type="application" bom-ref="app"><cdx:name>app</cdx:name></cdx:component></cdx:metadata>
  <cdx:components>
    <cdx:component type="library" bom-ref="a"><cdx:name>a</cdx:name><cdx:version>1.0.0</cdx:version>
      <cdx:components><cdx:component type="library" bom-ref="a|b"><cdx:name>b</cdx:name><cdx:version>2.0.0</cdx:version>
        <cdx:licenses><cdx:license><cdx:name>Custom license</cdx:name></cdx:license></cdx:licenses>
        <cdx:externalReferences><cdx:reference type="distribution"><cdx:url>https://x</cdx:url><cdx:hashes><cdx:hash alg="SHA-256">ABCDEF</cdx:hash></cdx:hashes></cdx:reference></cdx:externalReferences>
      </cdx:component></cdx:components>
    </cdx:component>
  </cdx:components>
  <cdx:dependencies><cdx:dependency ref="app"><cdx:dependency ref="a"/></cdx:dependency><cdx:dependency ref="a"><cdx:dependency ref="a|b"/></cdx:dependency></cdx:dependencies>
</cdx:bom>`;
    const parsed = parseSbomFile(sourceFile('bom.xml', xml));
    expect(parsed.format).toBe('cyclonedx-xml@1.5');
    expect(parsed.value.components).toEqual([
      { name: 'a', version: '1.0.0', licenses: [], scope: 'direct', type: 'library' },
      { name: 'b', version: '2.0.0', licenses: ['Custom license'], hashes: { 'sha-256': 'abcdef' }, scope: 'transitive', type: 'library' },
    ]);
  });
});

describe('CycloneDX 1.2 JSON from cyclonedx-python', () => {
  const parsed = parseSbomFile(fixture('sbom/pyenv.cdx-1.2.json'));
  const sbom = parsed.value;

  it('is schema-valid 1.2 without a root: every scope unknown, no warning for edgeless dependency entries', () => {
    expect(parsed.format).toBe('cyclonedx-json@1.2');
    expect(parsed.warnings).toEqual([]);
    expect(sbom.schemaValid).toBe(true);
    expect(sbom.root).toBeUndefined();
    expect(sbom.totals).toEqual({ components: 7, direct: 0, transitive: 0, unknownScope: 7, withoutLicense: 1 });
    expect(validSbom(sbom)).toEqual([]);
  });

  it('keeps license names as written and absent licenses absent', () => {
    expect(byName(sbom, 'requests').licenses).toEqual(['Apache 2.0']);
    expect(byName(sbom, 'idna').licenses).toEqual(['License :: OSI Approved :: BSD License']);
    expect(byName(sbom, 'certifi').licenses).toEqual(['MPL-2.0']);
    expect(byName(sbom, 'setuptools')).toEqual({ name: 'setuptools', version: '68.0.0', purl: 'pkg:pypi/setuptools@68.0.0', licenses: [], scope: 'unknown', type: 'library' });
    expect(byName(sbom, 'PyYAML').purl).toBe('pkg:pypi/pyyaml@6.0.1');
  });
});

describe('SPDX 2.3 JSON from syft', () => {
  const parsed = parseSbomFile(fixture('sbom/flask-service.spdx.json'));
  const sbom = parsed.value;

  it('takes the described directory as root and derives scope from CONTAINS and DEPENDENCY_OF', () => {
    expect(parsed.format).toBe('spdx-json@2.3');
    expect(parsed.parser.name).toBe('genops/spdx');
    expect(parsed.warnings).toEqual([]);
    expect(sbom.standard).toBe('spdx');
    expect(sbom.specVersion).toBe('2.3');
    expect(sbom.schemaValid).toBeUndefined();
    expect(sbom.root).toEqual({ name: '/app' });
    expect(sbom.totals).toEqual({ components: 14, direct: 3, transitive: 11, unknownScope: 0, withoutLicense: 0 });
    expect(names(sbom, 'direct')).toEqual(['Flask@3.0.3', 'gunicorn@23.0.0', 'requests@2.32.3']);
    expect(validSbom(sbom)).toEqual([]);
  });

  it('drops NOASSERTION and reads declared expressions and purls', () => {
    expect(byName(sbom, 'packaging')).toEqual({ name: 'packaging', version: '24.1', purl: 'pkg:pypi/packaging@24.1', licenses: ['Apache-2.0 OR BSD-2-Clause'], scope: 'transitive' });
    expect(byName(sbom, 'MarkupSafe')).toMatchObject({ licenses: ['BSD-3-Clause'], scope: 'transitive' });
    expect(byName(sbom, 'certifi').licenses).toEqual(['MPL-2.0']);
  });
});

describe('SPDX variants', () => {
  const github = {
    sbom: {
      SPDXID: 'SPDXRef-DOCUMENT',
      spdxVersion: 'SPDX-2.3',
      creationInfo: { created: '2026-11-20T10:00:00Z', creators: ['Tool: GitHub.com-Dependency-Graph'] },
      name: 'com.github.octo-org/orders-api',
      dataLicense: 'CC0-1.0',
      documentNamespace: 'https://spdx.org/spdxdocs/protobom/2f8f4c1e-9f0e-4a5d-8c3b-1d2e3f4a5b6c',
      packages: [
        {
          name: 'com.github.octo-org/orders-api',
          SPDXID: 'SPDXRef-github-octo-org-orders-api-main-8d1c2b3',
          versionInfo: 'main',
          downloadLocation: 'git+https://github.com/octo-org/orders-api',
          filesAnalyzed: false,
          licenseDeclared: 'Apache-2.0',
          externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:github/octo-org/orders-api@main' }],
        },
        {
          name: 'npm:express',
          SPDXID: 'SPDXRef-npm-express-4.21.2-4b1d6e',
          versionInfo: '4.21.2',
          downloadLocation: 'NOASSERTION',
          filesAnalyzed: false,
          licenseConcluded: 'MIT',
          licenseDeclared: 'MIT',
          checksums: [
            { algorithm: 'SHA1', checksumValue: 'D1AC8B6AA55F0CF1E7C2D0C3E4B0F6F8A9B1C2D3' },
            { algorithm: 'SHA256', checksumValue: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' },
          ],
          externalRefs: [{ referenceCategory: 'PACKAGE_MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/express@4.21.2' }],
        },
        {
          name: 'npm:ms',
          SPDXID: 'SPDXRef-npm-ms-2.0.0-9c1e2f',
          versionInfo: '2.0.0',
          downloadLocation: 'NOASSERTION',
          filesAnalyzed: false,
          licenseConcluded: 'NOASSERTION',
          licenseDeclared: 'MIT',
          externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/ms@2.0.0' }],
        },
      ],
      relationships: [
        { relationshipType: 'DEPENDS_ON', spdxElementId: 'SPDXRef-github-octo-org-orders-api-main-8d1c2b3', relatedSpdxElement: 'SPDXRef-npm-express-4.21.2-4b1d6e' },
        { relationshipType: 'DEPENDS_ON', spdxElementId: 'SPDXRef-npm-express-4.21.2-4b1d6e', relatedSpdxElement: 'SPDXRef-npm-ms-2.0.0-9c1e2f' },
        { relationshipType: 'DESCRIBES', spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: 'SPDXRef-github-octo-org-orders-api-main-8d1c2b3' },
      ],
    },
  };

  it("reads GitHub's dependency-graph export, also wrapped as the REST API returns it", () => {
    for (const doc of [github, github.sbom]) {
      const parsed = parseSbomFile(jsonFile(doc));
      expect(parsed.format).toBe('spdx-json@2.3');
      expect(parsed.warnings).toEqual([]);
      expect(parsed.value.root).toEqual({ name: 'com.github.octo-org/orders-api', version: 'main', purl: 'pkg:github/octo-org/orders-api@main' });
      expect(parsed.value.components).toEqual([
        {
          name: 'npm:express',
          version: '4.21.2',
          purl: 'pkg:npm/express@4.21.2',
          licenses: ['MIT'],
          hashes: { 'sha-1': 'd1ac8b6aa55f0cf1e7c2d0c3e4b0f6f8a9b1c2d3', 'sha-256': '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' },
          scope: 'direct',
        },
        { name: 'npm:ms', version: '2.0.0', purl: 'pkg:npm/ms@2.0.0', licenses: ['MIT'], scope: 'transitive' },
      ]);
    }
  });

  it('accepts SPDX 2.2 with a warning and refuses other versions', () => {
    const v22 = parseSbomFile(jsonFile({ ...github.sbom, spdxVersion: 'SPDX-2.2' }));
    expect(v22.format).toBe('spdx-json@2.2');
    expect(v22.warnings).toEqual(['is SPDX 2.2: read as SPDX 2.3 (the package fields genops reads are the same)']);
    const err = configError(() => parseSbomFile(jsonFile({ ...github.sbom, spdxVersion: 'SPDX-2.1' })));
    expect(err.message).toContain('SPDX-2.1');
    expect(err.details.hint).toContain('SPDX 2.3');
  });

  it('a root that only CONTAINS packages, in a document without dependency edges, says nothing about scope', () => {
    const doc = {
      spdxVersion: 'SPDX-2.3',
      SPDXID: 'SPDXRef-DOCUMENT',
      packages: [
        { name: 'img', SPDXID: 'SPDXRef-root', primaryPackagePurpose: 'CONTAINER' },
        { name: 'libc6', SPDXID: 'SPDXRef-a', versionInfo: '2.36-9', primaryPackagePurpose: 'OPERATING_SYSTEM', licenseDeclared: 'NONE' },
      ],
      relationships: [
        { spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: 'SPDXRef-root', relationshipType: 'DESCRIBES' },
        { spdxElementId: 'SPDXRef-root', relatedSpdxElement: 'SPDXRef-a', relationshipType: 'CONTAINS' },
      ],
    };
    const parsed = parseSbomFile(jsonFile(doc));
    expect(parsed.value.components).toEqual([{ name: 'libc6', version: '2.36-9', licenses: [], scope: 'unknown', type: 'operating-system' }]);
    expect(parsed.value.totals).toEqual({ components: 1, direct: 0, transitive: 0, unknownScope: 1, withoutLicense: 1 });
  });

  it('refuses SPDX 3 JSON-LD and tag-value, naming what is supported', () => {
    const jsonld = configError(() => parseSbomFile(jsonFile({ '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld', '@graph': [] })));
    expect(jsonld.message).toContain('SPDX 3 JSON-LD');
    expect(jsonld.details.expected).toContain('SPDX 2.3 JSON');
    const tagValue = configError(() => parseSbomFile(sourceFile('sbom.spdx', 'SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n')));
    expect(tagValue.message).toContain('SPDX tag-value');
  });
});

describe('CycloneDX oddities that are warnings', () => {
  it('reports schema violations by JSON pointer and still reads the components', () => {
    const doc = headDoc();
    doc.components[0].foo = 'bar';
    doc.components[1].externalReferences[0].hashes[0].alg = 'SHA512';
    const parsed = parseSbomFile(jsonFile(doc));
    expect(parsed.value.schemaValid).toBe(false);
    expect(parsed.value.totals.components).toBe(80);
    expect(parsed.warnings).toContain('CycloneDX 1.6 schema: /components/0: unknown property "foo"');
    expect(parsed.warnings.some((w) => w.startsWith('CycloneDX 1.6 schema: /components/1/externalReferences/0/hashes/0/alg:'))).toBe(true);
    // The enum of the SPDX license ids is named, not printed.
    doc.components[2].licenses = [{ license: { id: 'Apache 2' } }];
    const bad = parseSbomFile(jsonFile(doc));
    expect(bad.warnings.find((w) => w.includes('/components/2/licenses/0'))).toBeDefined();
    expect(bad.warnings.every((w) => w.length < 400)).toBe(true);
    expect(bad.warnings).toContain('license "Apache 2" (1 component) is not a valid SPDX license expression; kept as written');
    expect(bad.value.components[2]?.licenses).toEqual(['Apache 2']);
  });

  it('aggregates invalid license expressions, drops NOASSERTION, prefers component hashes', () => {
    const component = (name: string, licenses: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'library', name, version: '1.0.0', 'bom-ref': name, licenses, ...extra });
    const doc = cdx({
      metadata: { component: { type: 'application', name: 'app', 'bom-ref': 'app' } },
      components: [
        component('a', [{ expression: 'MIT OR' }]),
        component('b', [{ expression: 'MIT OR' }, { license: { id: 'NOASSERTION' } }]),
        component('c', [{ license: { id: 'MIT' } }, { license: { id: 'MIT' } }, { expression: 'Apache-2.0 WITH LLVM-exception' }], {
          hashes: [{ alg: 'SHA-256', content: 'AA'.repeat(32) }, { alg: 'SHA3-512', content: 'bb'.repeat(64) }, { alg: 'MD5', content: 'not hex' }],
          externalReferences: [{ type: 'distribution', url: 'https://x', hashes: [{ alg: 'SHA-512', content: 'cc'.repeat(64) }] }],
        }),
      ],
      dependencies: [{ ref: 'app', dependsOn: ['a', 'ghost'] }, { ref: 'a', dependsOn: ['b'] }],
    });
    const parsed = parseSbomFile(jsonFile(doc));
    expect(parsed.value.components.map((c) => [c.name, c.licenses, c.scope])).toEqual([
      ['a', ['MIT OR'], 'direct'],
      ['b', ['MIT OR'], 'transitive'],
      ['c', ['MIT', 'Apache-2.0 WITH LLVM-exception'], 'unknown'],
    ]);
    expect(parsed.value.components[2]?.hashes).toEqual({ 'sha-256': 'aa'.repeat(32), 'sha3-512': 'bb'.repeat(64) });
    expect(parsed.warnings).toEqual(
      expect.arrayContaining([
        'license "MIT OR" (2 components) is not a valid SPDX license expression; kept as written',
        '1 hash value(s) are not hexadecimal digests and were skipped',
        '1 dependency reference(s) name no component in the SBOM',
      ]),
    );
  });

  it('says why scope is unknown when the graph cannot be anchored', () => {
    const components = [{ type: 'library', name: 'a', version: '1', 'bom-ref': 'a' }];
    const noRoot = parseSbomFile(jsonFile(cdx({ components, dependencies: [{ ref: 'x', dependsOn: ['a'] }] })));
    expect(noRoot.value.totals.unknownScope).toBe(1);
    expect(noRoot.warnings).toContain('has a dependency graph but no metadata.component bom-ref to start from: every scope is unknown');
    const rootNotInGraph = parseSbomFile(
      jsonFile(cdx({ metadata: { component: { type: 'application', name: 'app', 'bom-ref': 'app' } }, components, dependencies: [{ ref: 'x', dependsOn: ['a'] }] })),
    );
    expect(rootNotInGraph.warnings).toContain('the dependency graph has no entry for the root component "app": every scope is unknown');
  });

  it('counts the root once when it is listed again, and flags duplicate bom-refs', () => {
    const doc = cdx({
      metadata: { component: { type: 'application', name: 'app', version: '1.0.0', 'bom-ref': 'app' } },
      components: [
        { type: 'application', name: 'app', version: '1.0.0', 'bom-ref': 'app' },
        { type: 'library', name: 'a', version: '1.0.0', 'bom-ref': 'dup' },
        { type: 'library', name: 'b', version: '1.0.0', 'bom-ref': 'dup' },
        { type: 'library', version: '1.0.0' },
      ],
    });
    const parsed = parseSbomFile(jsonFile(doc));
    expect(parsed.value.components.map((c) => c.name)).toEqual(['a', 'b']);
    expect(parsed.warnings).toEqual(
      expect.arrayContaining([
        'the root component (metadata.component) is listed again in components; counted once, as the root',
        '1 bom-ref value(s) are used by more than one component ("dup"); they must be unique',
        '1 components without a name were skipped (first at /components/3)',
      ]),
    );
  });

  it('cuts values longer than the evidence schema allows', () => {
    const parsed = parseSbomFile(jsonFile(cdx({ components: [{ type: 'library', name: 'n'.repeat(5000), version: '1'.repeat(300) }] })));
    const c = parsed.value.components[0]!;
    expect(c.name).toHaveLength(1024);
    expect(c.name.endsWith('\u2026')).toBe(true);
    expect(c.version).toHaveLength(256);
    expect(parsed.warnings).toContain('2 value(s) were longer than the evidence allows and were cut');
    expect(validSbom(parsed.value)).toEqual([]);
  });

  it('skips the schema check (with a warning) where the document nests deeper than the validator can recurse', () => {
    const depth = 20_000;
    const json = `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[${'{"type":"library","name":"n","pedigree":{"ancestors":['.repeat(depth)}{"type":"library","name":"leaf"}${']}}'.repeat(depth)}]}`;
    const parsed = parseSbomFile(sourceFile('bom.json', json));
    expect(parsed.value.schemaValid).toBeUndefined();
    expect(parsed.value.totals.components).toBe(1);
    expect(parsed.warnings).toEqual(['not checked against the CycloneDX 1.6 JSON schema: the document nests too deeply']);
  });

  it('reads UTF-8 with a BOM and UTF-16', () => {
    const text = JSON.stringify(cdx({ components: [{ type: 'library', name: 'a', version: '1' }] }));
    expect(parseSbomFile(sourceFile('bom.json', `\ufeff${text}`)).value.totals.components).toBe(1);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(parseSbomFile(sourceFile('bom.json', utf16)).value.totals.components).toBe(1);
  });
});

describe('SBOMs that are errors', () => {
  it('lists the supported formats for anything unrecognized', () => {
    for (const [input, fragment] of [
      ['{}', 'is JSON with neither bomFormat "CycloneDX" nor spdxVersion'],
      ['[1, 2]', 'is JSON but not an object'],
      ['{"bomFormat": "SWID"}', 'has bomFormat "SWID"'],
      ['name,version\nexpress,4.21.2\n', 'is neither JSON nor XML'],
      ['<project xmlns="http://maven.apache.org/POM/4.0.0"/>', 'root element <project>'],
      ['<bom xmlns="http://example.com/bom"/>', 'in namespace "http://example.com/bom"'],
      ['<bom/>', 'without a namespace'],
      ['', 'is neither JSON nor XML'],
    ] as const) {
      const err = configError(() => parseSbomFile(sourceFile('reports/sbom.json', input)));
      expect(err.message).toContain(fragment);
      expect(err.message).toContain('reports/sbom.json');
      expect(err.details.expected).toBe(
        'an SBOM: CycloneDX JSON (specVersion 1.2-1.6), CycloneDX XML (namespace http://cyclonedx.org/schema/bom/1.2 to 1.6) or SPDX 2.3 JSON',
      );
      expect(err.details.hint).toContain('cyclonedx-npm');
    }
  });

  it('refuses unsupported CycloneDX versions with what to do', () => {
    for (const version of ['1.1', '1.7', '2.0']) {
      const err = configError(() => parseSbomFile(jsonFile(cdx({ components: [] }, version))));
      expect(err.message).toContain(`CycloneDX JSON specVersion ${version}`);
      expect(err.details.hint).toContain('1.2, 1.3, 1.4, 1.5, 1.6');
    }
    const xml = configError(() => parseSbomFile(sourceFile('bom.xml', '<bom xmlns="http://cyclonedx.org/schema/bom/1.1" version="1"/>')));
    expect(xml.message).toContain('CycloneDX XML 1.1');
    expect(configError(() => parseSbomFile(jsonFile({ bomFormat: 'CycloneDX' }))).message).toContain('without a specVersion');
  });

  it('refuses a structurally unusable document', () => {
    expect(configError(() => parseSbomFile(jsonFile(cdx({ components: { a: 1 } })))).message).toContain('"components" is not an array');
    expect(configError(() => parseSbomFile(jsonFile({ spdxVersion: 'SPDX-2.3', packages: 'x' })))).toBeDefined();
    const xml = configError(() => parseSbomFile(sourceFile('bom.xml', '<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>text</components></bom>')));
    expect(xml.message).toContain('<components> holds text');
    let nested: Record<string, unknown> = { type: 'library', name: 'leaf', version: '1' };
    for (let i = 0; i < 70; i++) nested = { type: 'library', name: `n${String(i)}`, version: '1', components: [nested] };
    expect(configError(() => parseSbomFile(jsonFile(cdx({ components: [nested] })))).message).toContain('nests components more than 64 levels deep');
  });

  it('gives line and column for broken JSON and XML', () => {
    const json = configError(() => parseSbomFile(sourceFile('bom.json', '{\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.6",,\n}')));
    expect(json.details.line).toBe(3);
    const xml = configError(() => parseSbomFile(sourceFile('bom.xml', '<bom xmlns="http://cyclonedx.org/schema/bom/1.4">\n<components>\n</bom>')));
    expect(xml.message).toContain('not well-formed XML');
    expect(xml.details.line).toBeDefined();
    const entities = configError(() =>
      parseSbomFile(sourceFile('bom.xml', '<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x "y">]><bom xmlns="http://cyclonedx.org/schema/bom/1.4"/>')),
    );
    expect(entities.message).toContain('DTD');
  });

  it('enforces maxComponents, counting nested components', () => {
    const err = configError(() => parseSbomFile(fixture('sbom/orders-api.head.cdx.json'), { ...DEFAULT_LIMITS, maxComponents: 79 }));
    expect(err.message).toContain('more than 79 components');
    expect(parseSbomFile(fixture('sbom/orders-api.head.cdx.json'), { ...DEFAULT_LIMITS, maxComponents: 80 }).value.totals.components).toBe(80);
    expect(configError(() => parseSbomFile(fixture('sbom/flask-service.spdx.json'), { ...DEFAULT_LIMITS, maxComponents: 10 })).message).toContain(
      'more than 10 components',
    );
  });
});

describe('hash algorithm names', () => {
  it('normalizes CycloneDX and SPDX spellings', () => {
    expect(['SHA-256', 'SHA256', 'sha256', 'SHA1', 'SHA-1', 'SHA-512', 'SHA3-256', 'MD5', 'BLAKE2b-256', 'BLAKE3', 'SHA_384'].map(hashAlgorithm)).toEqual([
      'sha-256',
      'sha-256',
      'sha-256',
      'sha-1',
      'sha-1',
      'sha-512',
      'sha3-256',
      'md5',
      'blake2b-256',
      'blake3',
      'sha-384',
    ]);
  });
});
