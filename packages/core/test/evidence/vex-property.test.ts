/** Property tests: whatever the VEX parser gets, it returns schema-valid statements or throws a ConfigError. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { VexStatement } from '../../src/evidence/model.js';
import { parseVexFile } from '../../src/evidence/vulns/vex.js';
import { evidenceDef, fixtureText, jsonFile, jsonPaths, mutateAt, returnsOrConfigError, sourceFile } from './helpers.js';

const RUNS = { numRuns: 200, seed: 42 };
const validStatement = evidenceDef('vexStatement');

function parsesToValidStatements(file: ReturnType<typeof jsonFile>): boolean {
  let statements: VexStatement[] | undefined;
  const ok = returnsOrConfigError(() => {
    statements = parseVexFile(file).value;
  });
  for (const s of statements ?? []) {
    expect(validStatement(s)).toEqual([]);
    expect(s.source).toBe(file.path);
  }
  return ok;
}

describe('parseVexFile on arbitrary input', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => parsesToValidStatements(sourceFile('vex.json', bytes))),
      RUNS,
    );
  });

  it('random JSON, bare and under each format’s detection keys', () => {
    const doc = fc.oneof(
      fc.jsonValue({ maxDepth: 6 }),
      fc.record({ '@context': fc.constant('https://openvex.dev/ns/v0.2.0'), timestamp: fc.jsonValue({ maxDepth: 1 }), statements: fc.array(fc.jsonValue({ maxDepth: 5 }), { maxLength: 5 }) }),
      fc.record({ bomFormat: fc.constant('CycloneDX'), specVersion: fc.constant('1.6'), components: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 4 }), vulnerabilities: fc.array(fc.jsonValue({ maxDepth: 5 }), { maxLength: 5 }) }),
    );
    fc.assert(
      fc.property(doc, (d) => parsesToValidStatements(jsonFile(d))),
      RUNS,
    );
  });

  for (const name of ['openvex.json', 'cyclonedx-vex.json']) {
    it(`mutated ${name}`, () => {
      const doc = JSON.parse(fixtureText(`vex/${name}`)) as unknown;
      const paths = jsonPaths(doc);
      fc.assert(
        fc.property(
          fc.nat({ max: paths.length - 1 }),
          fc.option(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 20_000 }), fc.constantFrom('not_affected', 'resolved', 'pkg:npm/x', 'urn:cdx:x/1#%E0%A4%A', '__proto__')), { nil: undefined }),
          (at, value) => parsesToValidStatements(jsonFile(mutateAt(doc, paths[at] ?? [], value))),
        ),
        RUNS,
      );
    });
  }
});
