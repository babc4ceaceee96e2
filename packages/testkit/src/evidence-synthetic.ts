/**
 * A synthetic CycloneDX 1.6 JSON SBOM shaped like `@cyclonedx/cyclonedx-npm` output (flattened),
 * for benchmarks and scale tests: any size, deterministic for a seed, valid against the official
 * 1.6 schema. Components are npm packages (some scoped, a few installed at two versions), with
 * SPDX license ids, an expression or a non-SPDX name, a SHA-512 on the distribution reference, and a
 * dependency graph in which every component is reachable from the root (about 2 % direct).
 */
import { seededRandom } from './seeded-random.js';

const HEX = '0123456789abcdef';
const LICENSES: readonly [number, { license: { id?: string; name?: string } } | { expression: string }][] = [
  [0.6, { license: { id: 'MIT' } }],
  [0.75, { license: { id: 'ISC' } }],
  [0.85, { license: { id: 'Apache-2.0' } }],
  [0.9, { license: { id: 'BSD-3-Clause' } }],
  [0.95, { expression: '(MIT OR Apache-2.0)' }],
  [0.98, { license: { name: 'SEE LICENSE IN LICENSE' } }],
];

export function syntheticCycloneDxJson(components: number, seed: number): string {
  const rand = seededRandom(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += HEX[int(16)] ?? '0';
    return s;
  };
  const rootRef = 'synthetic-app@1.0.0';
  const refs: string[] = [];
  const list: Record<string, unknown>[] = [];
  for (let i = 0; i < components; i++) {
    // Every 20th package is a second copy (another version) of an earlier one, as npm nests them.
    const duplicateOf = i > 20 && i % 20 === 0 ? list[int(i)] : undefined;
    const scoped = duplicateOf === undefined ? rand() < 0.15 : typeof duplicateOf.group === 'string';
    const name = typeof duplicateOf?.name === 'string' ? duplicateOf.name : `pkg-${i.toString(36)}-${hex(4)}`;
    const group = scoped ? (typeof duplicateOf?.group === 'string' ? duplicateOf.group : `@scope-${String(int(50))}`) : undefined;
    const version = `${String(int(12))}.${String(int(30))}.${String(int(20))}`;
    const full = group === undefined ? name : `${group}/${name}`;
    const ref = duplicateOf === undefined ? `${full}@${version}` : `parent-${String(i)}|${full}@${version}`;
    const pick = rand();
    const license = LICENSES.find(([p]) => pick < p)?.[1];
    const purlName = group === undefined ? name : `${encodeURIComponent(group)}/${name}`;
    refs.push(ref);
    list.push({
      type: 'library',
      name,
      ...(group === undefined ? {} : { group }),
      version,
      'bom-ref': ref,
      ...(license === undefined ? {} : { licenses: [license] }),
      purl: `pkg:npm/${purlName}@${version}`,
      externalReferences: [
        {
          url: `https://registry.npmjs.org/${full}/-/${name}-${version}.tgz`,
          type: 'distribution',
          hashes: [{ alg: 'SHA-512', content: hex(128) }],
          comment: 'as detected from npm-ls property "resolved" and property "integrity"',
        },
      ],
      properties: [{ name: 'cdx:npm:package:path', value: `node_modules/${full}` }],
    });
  }
  // Graph: the first ~2 % are the root's direct dependencies; every other component gets one parent
  // among the components before it (so all are reachable), plus a few extra edges forward.
  const direct = Math.max(1, Math.round(components * 0.02));
  const dependsOn: Set<string>[] = refs.map(() => new Set());
  for (let i = direct; i < components; i++) {
    const parent = dependsOn[int(i)];
    const ref = refs[i];
    if (parent !== undefined && ref !== undefined) parent.add(ref);
    const extra = int(3);
    for (let k = 0; k < extra && i + 1 < components; k++) {
      const target = refs[i + 1 + int(Math.min(200, components - i - 1))];
      if (target !== undefined) dependsOn[i]?.add(target);
    }
  }
  const dependencies = [
    { ref: rootRef, dependsOn: refs.slice(0, direct) },
    ...refs.map((ref, i) => {
      const deps = [...(dependsOn[i] ?? [])].sort();
      return deps.length === 0 ? { ref } : { ref, dependsOn: deps };
    }),
  ];
  const uuid = `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
  const bom = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuid}`,
    version: 1,
    metadata: {
      timestamp: '2026-11-26T12:00:00.000Z',
      lifecycles: [{ phase: 'build' }],
      tools: {
        components: [
          { type: 'application', name: 'npm', version: '10.9.2' },
          { type: 'application', name: 'cyclonedx-npm', group: '@cyclonedx', version: '2.1.0' },
        ],
      },
      component: {
        type: 'application',
        name: 'synthetic-app',
        version: '1.0.0',
        'bom-ref': rootRef,
        licenses: [{ license: { id: 'Apache-2.0' } }],
        purl: 'pkg:npm/synthetic-app@1.0.0',
        properties: [{ name: 'cdx:npm:package:path', value: '' }],
      },
    },
    components: list,
    dependencies,
  };
  return `${JSON.stringify(bom, null, 2)}\n`;
}
