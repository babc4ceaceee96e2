/**
 * Hand-built decision predicates for renderer and publisher tests: a realistic denied pull request
 * gate (supply-chain and metadata packs), with overrides, so tests say only what differs. The
 * counts are computed from the results, as buildDecisionBody does.
 */
import { DECISION_ORDER, type Decision, type DecisionPredicate, type PolicyResult } from '@genops/core';
import { FIXTURE_PR_HEAD, FIXTURE_REPOSITORY, testRun } from './artifacts.js';

export function makeResult(overrides: Partial<PolicyResult> = {}): PolicyResult {
  return {
    set: 'supply-chain',
    rule: 'sbom-present',
    title: 'An SBOM is present',
    outcome: 'pass',
    mode: 'enforce',
    decision: 'deny',
    effective: 'allow',
    message: 'No SBOM was given, so dependencies, licenses and vulnerabilities cannot be checked.',
    ...overrides,
  };
}

/** A violated rule: effective = its decision (enforce mode). */
export function violated(overrides: Partial<PolicyResult> = {}): PolicyResult {
  const base = makeResult({ outcome: 'violated', ...overrides });
  return { ...base, effective: overrides.effective ?? base.decision };
}

/** The results of the default fixture: two denials, one warning, passes, one excepted, one skipped. */
export function deniedResults(): PolicyResult[] {
  return [
    makeResult(),
    violated({
      rule: 'no-new-fixable-critical-vulnerabilities',
      title: 'No new critical/high vulnerability that has a fix available (upgrade it)',
      message: 'New critical/high vulnerabilities with a fix available: CVE-2024-4068 (high) in braces@3.0.2, fixed in 3.0.3',
      recourse: { summary: 'Upgrade each listed package to the fixed version named in the message.', contacts: ['@org/security'] },
    }),
    violated({
      set: 'metadata',
      rule: 'service-metadata-present',
      title: 'Service metadata names the app, environment, owner and cost center',
      message: 'Service metadata of payments-api is missing: costCenter.',
      recourse: {
        summary: 'Add the missing fields to genops.yaml (app, environment, owner, costCenter) or to catalog-info.yaml.',
        docsUrl: 'https://example.com/docs/metadata',
        contacts: ['@org/platform'],
      },
    }),
    violated({
      rule: 'license-review',
      title: 'Components under licenses that need a legal review',
      decision: 'warn',
      message: 'Components whose license needs a legal review: lgpl-thing@1.0.0 (LGPL-3.0-only)',
      recourse: { summary: 'Ask legal to review the listed components, or pick alternatives under a permissive license.', contacts: ['@org/legal'] },
    }),
    makeResult({ rule: 'vulnerability-scan-present', title: 'A vulnerability scan is present' }),
    makeResult({ rule: 'license-denied', title: 'No component under a denied license', outcome: 'excepted', exception: 'gpl-tooling', effective: 'allow' }),
    makeResult({ set: 'genai', rule: 'eval-pass-rate', title: 'Eval pass rate', outcome: 'skipped' }),
  ];
}

function strictest(results: readonly PolicyResult[]): Decision {
  return results.reduce<Decision>((d, r) => (DECISION_ORDER.indexOf(r.effective) > DECISION_ORDER.indexOf(d) ? r.effective : d), 'allow');
}

/**
 * A decision predicate. Without overrides: gate `pr` on acme/payments #42, deny. Given `results`
 * (and no `decision`), the decision is the strictest effective result; counts always follow them.
 */
export function makeDecision(overrides: Partial<DecisionPredicate> = {}): DecisionPredicate {
  const results = overrides.results ?? deniedResults();
  const count = (o: PolicyResult['outcome']) => results.filter((r) => r.outcome === o).length;
  return {
    header: {
      tool: { name: 'genops', version: '0.0.0-test', component: 'policy-gate' },
      run: testRun(),
      createdAt: '2026-03-02T10:00:00.000Z',
      expiresAt: '2026-03-09T10:00:00.000Z',
      inputs: [],
    },
    key: 'pr',
    environment: 'production',
    change: { repository: FIXTURE_REPOSITORY, sha: FIXTURE_PR_HEAD, author: 'dev-alice', pullRequest: 42, evaluatedAt: '2026-03-02T10:00:00.000Z' },
    policy: {
      bundleDigest: 'a'.repeat(64),
      sets: [
        { name: 'supply-chain', file: 'policies/supply-chain/supply-chain.yaml', mode: 'enforce', rules: 7 },
        { name: 'metadata', file: 'policies/metadata/metadata.yaml', mode: 'enforce', rules: 1 },
      ],
    },
    exceptions: {
      applied: [{ name: 'gpl-tooling', file: 'policies/exceptions.yaml', rules: ['supply-chain/license-denied'], ticket: 'SEC-42', approvedBy: 'sec-lead', expiresAt: '2026-04-01T00:00:00Z', excused: ['supply-chain/license-denied'] }],
      expired: [],
      invalid: [],
    },
    ...overrides,
    decision: overrides.decision ?? strictest(results),
    results,
    counts: { pass: count('pass'), violated: count('violated'), excepted: count('excepted'), error: count('error'), skipped: count('skipped') },
  };
}
