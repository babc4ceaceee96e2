/**
 * Policy evaluation benchmark: the default packs plus 50 synthetic rules (comprehensions over the
 * components, like real license and vulnerability rules) over evidence with 5,000 SBOM components,
 * warm, median of 21 runs. Baselines in the same process: the same policies over the fixture's own
 * components, and the same evaluation with cel-js alone (engine: 'reference', no fast path).
 * Target: under 50 ms. Size: BENCH_POLICY_COMPONENTS.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { defaultPackFiles, evaluatePolicies, loadPolicyDocuments, sourceFileOf, type CelEngine, type Evidence } from '@genops/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const COMPONENTS = Number(process.env.BENCH_POLICY_COMPONENTS ?? 5000);
const RUNS = 21;
const context = { now: new Date('2026-03-11T10:00:00Z'), environment: 'production', repository: 'acme/shop', author: 'dana' };

const fixture = JSON.parse(readFileSync(join(root, 'policies/supply-chain/fixtures/ok.json'), 'utf8')) as Evidence;
const sbom = fixture.sbom;
const template = sbom?.components[0];
if (sbom === null || template === undefined) throw new Error('fixture has no SBOM component');
type Component = NonNullable<Evidence['sbom']>['components'][number];
const base: Component = template;
const sbomBase: NonNullable<Evidence['sbom']> = sbom;

function withComponents(n: number): Evidence {
  const licenses = ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'ISC', 'MPL-2.0'];
  const components = Array.from({ length: n }, (_, i): Component => ({ ...base, name: `pkg-${String(i)}`, version: `1.${String(i % 50)}.0`, purl: `pkg:npm/pkg-${String(i)}@1.${String(i % 50)}.0`, licenses: [licenses[i % licenses.length] ?? 'MIT'] }));
  return { ...fixture, sbom: { ...sbomBase, components } };
}

// 50 synthetic rules in one set: each walks the components once (exists/filter), as license,
// vulnerability and dependency rules do.
const synthetic = [
  'apiVersion: genops.dev/v1',
  'kind: PolicySet',
  'metadata: { name: synthetic }',
  'spec:',
  '  rules:',
  ...Array.from({ length: 50 }, (_, i) => [
    `    - id: synthetic-${String(i)}`,
    `      title: Synthetic rule ${String(i)}`,
    '      when: evidence.sbom != null',
    i % 2 === 0
      ? `      expression: "!evidence.sbom.components.exists(c, c.name == 'forbidden-${String(i)}' || c.licenses.exists(l, l == 'SSPL-${String(i)}'))"`
      : `      expression: "evidence.sbom.components.filter(c, c.version.startsWith('9${String(i)}.')).size() == 0"`,
    `      message: synthetic rule ${String(i)} failed`,
    '      decision: warn',
  ]).flat(),
].join('\n');

const bundle = loadPolicyDocuments([...defaultPackFiles(), sourceFileOf('bench/synthetic.yaml', new TextEncoder().encode(synthetic))]);
const rules = bundle.sets.reduce((n, s) => n + s.rules.length, 0);

function median(evidence: Evidence, engine: CelEngine = 'fast'): { ms: number; decision: string } {
  const times: number[] = [];
  let decision = '';
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    decision = evaluatePolicies(bundle, { evidence, risk: null, context, engine }).decision;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(RUNS / 2)] ?? NaN, decision };
}

const small = median(fixture);
const evidence = withComponents(COMPONENTS);
const big = median(evidence);
const reference = median(evidence, 'reference');
if (reference.decision !== big.decision) throw new Error(`the fast path decided ${big.decision}, cel-js alone ${reference.decision}`);
console.log(`policy: ${String(rules)} rules (5 default packs + 50 synthetic) over ${String(COMPONENTS)} components: ${big.ms.toFixed(1)} ms median of ${String(RUNS)} (decision ${big.decision}); target < 50 ms: ${big.ms < 50 ? 'met' : 'NOT met'}`);
console.log(`policy: same evaluation with cel-js alone (no fast path): ${reference.ms.toFixed(1)} ms (fast path ${(reference.ms / big.ms).toFixed(1)}x faster)`);
console.log(`policy: same rules over the fixture's ${String(sbom.components.length)} components: ${small.ms.toFixed(2)} ms (ratio ${(big.ms / small.ms).toFixed(1)}x)`);
