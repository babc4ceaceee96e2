/**
 * Policy documents as loaded (PolicySet, PolicyException, PolicyTest; apiVersion genops.dev/v1) and
 * the decision an evaluation returns. Schema: packages/core/schemas/policy.schema.json.
 */
import type { CompiledExpression } from './cel.js';

export type PolicyMode = 'enforce' | 'warn' | 'audit';
export type FailurePolicy = 'Fail' | 'Ignore';
/** What a violated rule yields in enforce mode. */
export type RuleDecision = 'deny' | 'require-approval' | 'warn';
/** Ordered allow < warn < require-approval < deny; the strictest wins. */
export type Decision = 'allow' | RuleDecision;
export const DECISION_ORDER: readonly Decision[] = ['allow', 'warn', 'require-approval', 'deny'];

export function stricter(a: Decision, b: Decision): Decision {
  return DECISION_ORDER.indexOf(a) >= DECISION_ORDER.indexOf(b) ? a : b;
}

export interface PolicyRecourse {
  summary: string;
  docsUrl?: string;
  contacts?: string[];
}

export interface PolicyRuleDoc {
  id: string;
  title: string;
  when?: string;
  expression: string;
  message: string;
  messageExpression?: string;
  decision: RuleDecision;
  mode?: PolicyMode;
  recourse?: PolicyRecourse;
}

export interface PolicySetDoc {
  apiVersion: 'genops.dev/v1';
  kind: 'PolicySet';
  metadata: { name: string; description?: string; labels?: Record<string, string> };
  spec: {
    mode?: PolicyMode;
    failurePolicy?: FailurePolicy;
    params?: Record<string, unknown>;
    variables?: { name: string; expression: string }[];
    rules: PolicyRuleDoc[];
  };
}

export interface PolicyExceptionDoc {
  apiVersion: 'genops.dev/v1';
  kind: 'PolicyException';
  metadata: { name: string; description?: string };
  spec: {
    rules: string[];
    match?: { repository?: string; environment?: string; packages?: string[]; vulnerabilities?: string[] };
    reason: string;
    ticket: string;
    approvedBy: string;
    createdAt?: string;
    expiresAt: string;
  };
}

export interface PolicyTestCaseDoc {
  name: string;
  evidence: string;
  risk?: string;
  context?: { now?: string; environment?: string; repository?: string; author?: string };
  exceptions?: string[];
  expect: { decision: Decision; violated?: string[] };
}

export interface PolicyTestDoc {
  apiVersion: 'genops.dev/v1';
  kind: 'PolicyTest';
  metadata?: { name: string };
  spec: { policies: string[]; cases: PolicyTestCaseDoc[] };
}

export interface CompiledRule {
  readonly doc: PolicyRuleDoc;
  readonly when?: CompiledExpression;
  readonly expression: CompiledExpression;
  readonly messageExpression?: CompiledExpression;
}

export interface CompiledPolicySet {
  /** File and document index it came from. */
  readonly file: string;
  readonly docIndex: number;
  readonly name: string;
  readonly mode: PolicyMode;
  readonly failurePolicy: FailurePolicy;
  readonly params: Record<string, unknown>;
  readonly variables: readonly { name: string; expression: CompiledExpression }[];
  readonly rules: readonly CompiledRule[];
}

export interface LoadedException {
  readonly file: string;
  readonly docIndex: number;
  readonly doc: PolicyExceptionDoc;
}

export interface LoadedPolicyTest {
  readonly file: string;
  readonly docIndex: number;
  readonly doc: PolicyTestDoc;
}

export interface PolicyBundle {
  readonly sets: readonly CompiledPolicySet[];
  readonly exceptions: readonly LoadedException[];
  readonly tests: readonly LoadedPolicyTest[];
  /** sha256 (hex) of the canonical JSON of the PolicySet and PolicyException documents, by path. */
  readonly digest: string;
}

/** One problem found while loading, with where it is. */
export interface PolicyProblem {
  file: string;
  line?: number;
  column?: number;
  /** Key path in the document, e.g. `spec.rules[2].expression` (with the document index when > 0). */
  where: string;
  message: string;
  expected?: string;
  hint?: string;
}

export type ResultOutcome = 'pass' | 'violated' | 'skipped' | 'error' | 'excepted';

export interface PolicyResult {
  set: string;
  rule: string;
  title: string;
  outcome: ResultOutcome;
  mode: PolicyMode;
  /** What a violation yields in enforce mode (as declared). */
  decision: RuleDecision;
  /** What this result contributes after mode, failurePolicy and exceptions. */
  effective: Decision;
  message: string;
  recourse?: PolicyRecourse;
  error?: string;
  /** Name of the exception that excused the violation. */
  exception?: string;
}

export interface ExceptionReport {
  name: string;
  file: string;
  rules: string[];
  ticket: string;
  approvedBy: string;
  expiresAt: string;
  /** For `invalid`: why it was refused. For `applied`: the rules it excused. */
  problem?: string;
  excused?: string[];
}

export interface PolicyDecision {
  decision: Decision;
  results: PolicyResult[];
  exceptions: { applied: ExceptionReport[]; expired: ExceptionReport[]; invalid: ExceptionReport[] };
  bundleDigest: string;
}

export interface PolicyContextInput {
  now: Date;
  environment: string;
  repository: string;
  author: string;
}
