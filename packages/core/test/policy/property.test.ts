/**
 * Property: whatever small expression and evidence, loading reports problems (never throws other
 * than PolicyLoadError) and evaluatePolicies never throws (errors become results).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { checkPolicyDocuments, evaluatePolicies } from '../../src/policy/index.js';
import { CTX, EMPTY, fixtureEvidence, src } from './helpers.js';

const dyn = fc.constantFrom(
  'evidence.sbom',
  'evidence.sbom.totals.components',
  'evidence.change.totals.files',
  'evidence.change.labels',
  'evidence.vulnerabilities.totals.critical',
  'evidence.service.tier',
  'evidence.sbom.components[0].name',
  'risk',
  'risk.score',
  'context.local.hour',
  'context.environment',
  'params.n',
);
const literal = fc.constantFrom('1.0', '0', '"x"', 'true');
const cmp = fc.tuple(dyn, fc.constantFrom('==', '!=', '<', '>='), fc.oneof(dyn, literal)).map(([a, op, b]) => `${a} ${op} ${b}`);
const boolExpr: fc.Arbitrary<string> = fc.letrec<{ b: string }>((tie) => ({
  b: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    cmp,
    fc.constant('true'),
    tie('b').map((a) => `!(${a})`),
    fc.tuple(tie('b'), fc.constantFrom('&&', '||'), tie('b')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    tie('b').map((a) => `evidence.change.labels.exists(l, ${a} || l == "x")`),
    dyn.map((a) => `re2Matches(string(${a}), "^(a|b)+$")`),
    dyn.map((a) => `size(${a}) > 0`),
    fc.tuple(tie('b'), tie('b'), tie('b')).map(([a, b, c]) => `(${a} ? ${b} : ${c})`),
  ),
})).b;
const atoms = dyn;

const full = fixtureEvidence('evidence/friday-migration.json');
const evidence = fc.record({ sbom: fc.boolean(), change: fc.boolean(), vulnerabilities: fc.boolean(), service: fc.boolean() }).map(
  (keep) => ({ ...EMPTY, ...Object.fromEntries(Object.entries(keep).map(([k, v]) => [k, v ? (full as unknown as Record<string, unknown>)[k] : null])) }),
);

describe('policy engine properties', () => {
  it('random expressions and evidence never throw out of load or evaluate', () => {
    let evaluated = 0;
    fc.assert(
      fc.property(boolExpr, boolExpr, atoms, evidence, fc.constantFrom('Fail', 'Ignore'), (when, expression, msgAtom, ev, failurePolicy) => {
        const yaml = [
          'apiVersion: genops.dev/v1',
          'kind: PolicySet',
          'metadata: { name: prop }',
          'spec:',
          `  failurePolicy: ${failurePolicy}`,
          '  params: { n: 3 }',
          '  rules:',
          '    - id: r1',
          '      title: t',
          '      message: m',
          '      decision: deny',
          `      when: ${JSON.stringify(when)}`,
          `      expression: ${JSON.stringify(expression)}`,
          `      messageExpression: ${JSON.stringify(`string(${msgAtom})`)}`,
        ].join('\n');
        const { bundle, problems } = checkPolicyDocuments([src('prop.yaml', yaml)]);
        if (problems.length > 0) {
          for (const p of problems) expect(p.line).toBeDefined();
          return;
        }
        evaluated++;
        const d = evaluatePolicies(bundle, { evidence: ev, risk: null, context: CTX });
        expect(d.results).toHaveLength(1);
        expect(['allow', 'warn', 'require-approval', 'deny']).toContain(d.decision);
        if (d.results[0]!.outcome === 'error') expect(d.decision).toBe(failurePolicy === 'Fail' ? 'deny' : 'allow');
      }),
      { numRuns: 300, seed: 20260311 },
    );
    // Some random expressions fail the type check; most must get through to evaluation.
    expect(evaluated).toBeGreaterThan(150);
  });
});
