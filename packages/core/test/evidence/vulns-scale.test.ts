/** Scale: a 10,000-result CodeQL-shaped SARIF log parses and merges completely (speed is bench/'s job). */
import { describe, expect, it } from '@jest/globals';
import { syntheticSarif } from '../../../testkit/src/evidence-synthetic-sarif.js';
import { parseVulnerabilityFile } from '../../src/evidence/vulns/index.js';
import { buildVulnerabilityEvidence } from '../../src/evidence/vulns/merge.js';
import { sourceFile } from './helpers.js';

describe('synthetic SARIF', () => {
  it('is deterministic for a seed and different across seeds', () => {
    expect(syntheticSarif(50, 1)).toBe(syntheticSarif(50, 1));
    expect(syntheticSarif(50, 1)).not.toBe(syntheticSarif(50, 2));
  });

  it('parses 10,000 results into 10,000 findings', () => {
    const text = syntheticSarif(10_000, 42);
    const file = sourceFile('reports/codeql.sarif', text);
    const vex = [{ vulnerability: 'js/sql-injection', aliases: [], products: [], status: 'not_affected' as const, source: 'vex.json' }];
    const parsed = parseVulnerabilityFile(file);
    const evidence = buildVulnerabilityEvidence(parsed.value, vex);

    expect(parsed.value).toHaveLength(10_000);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.value.every((f) => f.kind === 'code' && f.locations[0]?.path.startsWith('/') === false)).toBe(true);
    const sqlInjections = parsed.value.filter((f) => f.id === 'js/sql-injection').length;
    expect(evidence.suppressed).toBeGreaterThan(0);
    expect(evidence.suppressed).toBeLessThanOrEqual(sqlInjections);
  });
});
