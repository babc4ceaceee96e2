/**
 * in-toto Statement v1 as genops writes it, and the common predicate header.
 * See docs/artifact-contract.md.
 */

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

const PREDICATE_BASE = 'https://genops.dev/attestations';

/** One predicate type per stage, versioned. Each has a JSON Schema in packages/core/schemas. */
export const PredicateTypes = {
  inventory: `${PREDICATE_BASE}/inventory/v1`,
  receipt: `${PREDICATE_BASE}/receipt/v1`,
  evidence: `${PREDICATE_BASE}/evidence/v1`,
  risk: `${PREDICATE_BASE}/risk/v1`,
  decision: `${PREDICATE_BASE}/decision/v1`,
  canary: `${PREDICATE_BASE}/canary/v1`,
  audit: `${PREDICATE_BASE}/audit/v1`,
} as const;
export type PredicateKind = keyof typeof PredicateTypes;

/** predicateType -> schema id. A predicate type without a schema cannot be signed or verified. */
export const PREDICATE_SCHEMAS: Readonly<Record<string, string>> = {
  [PredicateTypes.inventory]: 'inventory',
  [PredicateTypes.receipt]: 'receipt',
  [PredicateTypes.evidence]: 'evidence',
  [PredicateTypes.risk]: 'risk',
  [PredicateTypes.decision]: 'decision',
  [PredicateTypes.canary]: 'canary',
};

export type DigestSet = Record<string, string>;

export interface Subject {
  name: string;
  digest: DigestSet;
  uri?: string;
}

export interface Statement<P = Record<string, unknown>> {
  _type: typeof STATEMENT_TYPE;
  subject: Subject[];
  predicateType: string;
  predicate: P;
}

export interface RunIdentity {
  serverUrl?: string;
  repository: string;
  runId: string;
  runAttempt: number;
  workflowRef: string;
  job?: string;
  event: string;
  ref: string;
  sha: string;
  actor?: string;
}

export interface ArtifactRef {
  name?: string;
  /** `file`: a source file read as evidence (chains do not follow it); default, a statement. */
  kind?: 'statement' | 'file';
  /** For files: the format read, e.g. `cyclonedx-json@1.6`. */
  mediaType?: string;
  predicateType?: string;
  digest: { sha256: string };
}

export interface PredicateHeader {
  tool: { name: 'genops'; version: string; component: string };
  run: RunIdentity;
  createdAt: string;
  expiresAt: string;
  inputs: ArtifactRef[];
}

export interface GenopsPredicate {
  header: PredicateHeader;
  [field: string]: unknown;
}

/** What is gated: the commit, and where there is one, the built artifact. */
export interface SubjectSpec {
  repository: string;
  gitCommit: string;
  /** Built artifacts (name -> sha256 hex) the decision also binds to. */
  artifacts?: { name: string; sha256: string }[];
}

export function buildSubjects(spec: SubjectSpec): Subject[] {
  const subjects: Subject[] = [{ name: `git+${spec.repository}`, digest: { gitCommit: spec.gitCommit.toLowerCase() } }];
  for (const a of spec.artifacts ?? []) subjects.push({ name: a.name, digest: { sha256: a.sha256.toLowerCase() } });
  return subjects;
}

export interface HeaderSpec {
  component: string;
  toolVersion: string;
  run: RunIdentity;
  now: Date;
  /** How long downstream jobs may trust the artifact. */
  ttlSeconds: number;
  inputs?: ArtifactRef[];
}

export function buildHeader(spec: HeaderSpec): PredicateHeader {
  if (!(spec.ttlSeconds > 0)) throw new RangeError('ttlSeconds must be positive');
  return {
    tool: { name: 'genops', version: spec.toolVersion, component: spec.component },
    run: spec.run,
    createdAt: spec.now.toISOString(),
    expiresAt: new Date(spec.now.getTime() + spec.ttlSeconds * 1000).toISOString(),
    inputs: spec.inputs ?? [],
  };
}

export function buildStatement<P extends GenopsPredicate>(subject: SubjectSpec, predicateType: string, predicate: P): Statement<P> {
  return { _type: STATEMENT_TYPE, subject: buildSubjects(subject), predicateType, predicate };
}
