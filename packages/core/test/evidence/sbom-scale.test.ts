/** SBOMs at scale: a 20,000-component cyclonedx-npm-shaped SBOM parses, validates and diffs quickly. */
import { describe, expect, it } from '@jest/globals';
import { syntheticCycloneDxJson } from '../../../testkit/src/evidence-synthetic.js';
import { diffSboms } from '../../src/evidence/sbom/diff.js';
import { parseSbomFile } from '../../src/evidence/sbom/index.js';
import { DEFAULT_LIMITS } from '../../src/evidence/source.js';
import { configError, sourceFile } from './helpers.js';

describe('a 20,000-component SBOM', () => {
  const text = syntheticCycloneDxJson(20_000, 1);
  const file = sourceFile('sbom.cdx.json', text);

  it('the generator is deterministic for a seed', () => {
    expect(syntheticCycloneDxJson(50, 7)).toBe(syntheticCycloneDxJson(50, 7));
    expect(syntheticCycloneDxJson(50, 7)).not.toBe(syntheticCycloneDxJson(50, 8));
  });

  it('parses, passes the official 1.6 schema and scopes every component, well within the budget', () => {
    const start = performance.now();
    const parsed = parseSbomFile(file);
    const ms = performance.now() - start;
    expect(parsed.warnings).toEqual([]);
    expect(parsed.value.schemaValid).toBe(true);
    expect(parsed.value.totals).toEqual({ components: 20_000, direct: 400, transitive: 19_600, unknownScope: 0, withoutLicense: parsed.value.totals.withoutLicense });
    expect(parsed.value.totals.withoutLicense).toBeGreaterThan(200);
    expect(parsed.value.components[0]?.hashes?.['sha-512']).toMatch(/^[0-9a-f]{128}$/);
    // About 0.3-0.6 s on a laptop, cold; generous for slow CI machines.
    expect(ms).toBeLessThan(5000);
  });

  it('diffs against another 20,000-component SBOM in linear time', () => {
    const base = parseSbomFile(sourceFile('base.cdx.json', syntheticCycloneDxJson(20_000, 2))).value;
    const head = parseSbomFile(file).value;
    const start = performance.now();
    const diff = diffSboms(base, head);
    expect(performance.now() - start).toBeLessThan(3000);
    expect(diff.added.length - diff.removed.length).toBe(0);
    expect(diffSboms(head, head).added).toEqual([]);
  });

  it('stops at maxComponents', () => {
    expect(configError(() => parseSbomFile(file, { ...DEFAULT_LIMITS, maxComponents: 19_999 })).message).toContain('more than 19999 components');
  });
});
