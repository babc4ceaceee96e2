/**
 * The normalized Evidence model (predicate `https://genops.dev/attestations/evidence/v1`).
 *
 * Every parser turns one file format into one of the sections below; the collector puts the
 * sections together, records where each came from (`sources`) and which sources were not given
 * (`absent`). A section is `null` when its source was not given: absent is recorded, never guessed.
 * All fields are plain JSON (numbers, strings, arrays, objects), so the statement is canonical
 * and the JSON Schema in packages/core/schemas/evidence.schema.json describes it exactly.
 */

/** What kind of signal a source file carries. One action input (and CLI flag) per kind. */
export type SourceKind =
  | 'sbom'
  | 'base-sbom'
  | 'vulnerabilities'
  | 'vex'
  | 'tests'
  | 'coverage'
  | 'diff'
  | 'provenance'
  | 'eval'
  | 'traces'
  | 'metadata'
  /** Read from the workspace when a diff is given without the API (not an input of its own). */
  | 'codeowners'
  | 'github';

/** One source the evidence was built from: a file (hashed before parsing) or an API read. */
export interface SourceRecord {
  kind: SourceKind;
  /** Workspace-relative path with `/` separators, or `github:<what>` for API reads. */
  path: string;
  /** sha256 (hex) of the exact bytes parsed; for API reads, of the canonical JSON response. */
  sha256: string;
  size: number;
  /** The format detected, with its version: `cyclonedx-json@1.6`, `sarif@2.1.0`, `junit-xml`. */
  format: string;
  /** Which parser read it, and that parser's version (genops's version for our own parsers). */
  parser: { name: string; version: string };
  /** Things the parser noticed but could still read past (capped; see `warningsTruncated`). */
  warnings: string[];
  warningsTruncated?: number;
}

/** What a parser returns for one file. The collector adds path, digest and size. */
export interface Parsed<T> {
  value: T;
  format: string;
  parser: { name: string; version: string };
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------
// SBOM

export type DependencyScope = 'direct' | 'transitive' | 'unknown';

export interface Component {
  /** Package URL when the SBOM gives one (the identity used for diffs and vulnerability matching). */
  purl?: string;
  name: string;
  /** Group / namespace (npm scope, Maven groupId) when given separately from the name. */
  group?: string;
  version?: string;
  /** SPDX license expressions (ids and expressions as written; names kept when not SPDX). */
  licenses: string[];
  /** Hashes by algorithm, lower-case names (`sha-256`, `sha-512`, `sha-1`), hex values. */
  hashes?: Record<string, string>;
  scope: DependencyScope;
  /** CycloneDX type (`library`, `application`, ...) or SPDX primaryPackagePurpose, lower-case. */
  type?: string;
}

export interface SbomEvidence {
  /** `cyclonedx` or `spdx`. */
  standard: 'cyclonedx' | 'spdx';
  specVersion: string;
  /** The described root (metadata.component / documentDescribes), when given. */
  root?: { name: string; version?: string; purl?: string };
  /**
   * Whether the file passed the official JSON schema of its spec version (CycloneDX JSON; violations
   * are warnings that name the JSON pointer). Absent when no schema check was made (XML, SPDX).
   */
  schemaValid?: boolean;
  components: Component[];
  totals: { components: number; direct: number; transitive: number; unknownScope: number; withoutLicense: number };
}

export interface ComponentChange {
  /** Identity used to pair base and head: purl without version, else `group/name`. */
  key: string;
  name: string;
  purl?: string;
  from?: string;
  to?: string;
  licensesFrom?: string[];
  licensesTo?: string[];
  scope: DependencyScope;
}

export interface SbomDiffEvidence {
  added: ComponentChange[];
  removed: ComponentChange[];
  upgraded: ComponentChange[];
  downgraded: ComponentChange[];
  /** Same key, version changed in a way that is neither up nor down (not comparable). */
  changed: ComponentChange[];
  licenseChanged: ComponentChange[];
}

// ---------------------------------------------------------------------------------------------
// Vulnerabilities and VEX

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'none' | 'unknown';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'none', 'unknown'];

export interface Location {
  path: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

export interface VexStatement {
  /** The vulnerability id the statement is about (CVE, GHSA, ...), plus its aliases. */
  vulnerability: string;
  aliases: string[];
  /** purls the statement covers; empty means every product in the document. */
  products: string[];
  status: VexStatus;
  justification?: string;
  impact?: string;
  actionStatement?: string;
  /** Workspace-relative path of the VEX document the statement came from. */
  source: string;
  timestamp?: string;
}

export interface Finding {
  /** Primary id: CVE when known, else GHSA/OSV id, else the scanner's rule id. */
  id: string;
  aliases: string[];
  /** `dependency`: a vulnerable component; `code`: a finding at a location in the source (SARIF). */
  kind: 'dependency' | 'code';
  /** Scanner(s) that reported it (`grype`, `trivy`, `osv-scanner`, `npm-audit`, SARIF tool name). */
  tools: string[];
  severity: Severity;
  cvss?: { score: number; vector?: string; version?: string };
  purl?: string;
  package?: { name: string; version?: string; ecosystem?: string };
  fixedIn: string[];
  fixAvailable: boolean;
  title?: string;
  /** Rule id for code findings (SARIF `ruleId`). */
  rule?: string;
  locations: Location[];
  /** The VEX statement applied to this finding, when one matched. */
  vex?: { status: VexStatus; justification?: string; source: string };
  /** True when VEX says `not_affected` or `fixed`: kept for the record, not counted in totals. */
  suppressed: boolean;
}

export type SeverityCounts = Record<Severity, number>;

export interface VulnerabilityEvidence {
  findings: Finding[];
  /** Counts of findings not suppressed by VEX, by severity. */
  totals: SeverityCounts;
  suppressed: number;
}

export interface VexEvidence {
  statements: VexStatement[];
}

// ---------------------------------------------------------------------------------------------
// Tests and coverage

export interface TestFailure {
  suite: string;
  name: string;
  message?: string;
  file?: string;
  line?: number;
}

export interface TestEvidence {
  total: number;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  /** Tests that failed at least once and then passed on a retry (flaky). */
  flaky: number;
  suites: number;
  durationSeconds?: number;
  /** The first failures (capped at 100), for the report. */
  failures: TestFailure[];
  flakyTests: { suite: string; name: string; attempts: number }[];
}

export interface LineCoverageFile {
  path: string;
  /** Line number -> hit count, for lines the coverage report instruments. */
  lines: Map<number, number>;
  /** Line number -> branches on that line (lcov BRDA, Cobertura condition-coverage), when given. */
  branches?: Map<number, { covered: number; total: number }>;
}

/** What coverage parsers return (per-file line maps stay in memory; evidence keeps summaries). */
export interface CoverageReport {
  files: LineCoverageFile[];
  branches?: { covered: number; total: number };
}

export interface CoverageRatio {
  covered: number;
  total: number;
  /** covered / total in [0, 1]; null when total is 0 (nothing measurable, never 100 %). */
  ratio: number | null;
}

export interface CoverageEvidence {
  lines: CoverageRatio;
  branches?: CoverageRatio;
  files: number;
  /** Coverage of the lines the change adds or modifies; null without a diff. */
  changedLines: (CoverageRatio & {
    /** Changed lines no coverage report instruments (comments, blank lines, unmeasured files). */
    notInstrumented: number;
    /** Uncovered changed lines per file, as ranges `[start, end]`, capped at 200 files. */
    uncovered: { path: string; ranges: [number, number][] }[];
    /**
     * Changed source files no coverage report mentions at all (the tests never loaded them),
     * capped at 200; absent when there are none. Their lines count as notInstrumented.
     */
    unmeasuredFiles?: string[];
  }) | null;
}

/** A file of a unified diff: which lines the change adds on the new side. */
export interface DiffFile {
  path: string;
  /** Set for renames. */
  previousPath?: string;
  status: 'added' | 'modified' | 'removed' | 'renamed';
  additions: number;
  deletions: number;
  /** 1-based line numbers on the new side that were added or changed. */
  addedLines: number[];
  binary?: boolean;
  /**
   * Identifier-like tokens of the added lines, most frequent first (at most 50; absent when there
   * are none, and for binary, removed, lock and generated files).
   */
  identifiers?: string[];
}

// ---------------------------------------------------------------------------------------------
// Provenance

export interface ProvenanceEvidence {
  artifacts: ProvenanceRecord[];
  verified: number;
  unverified: number;
}

export interface ProvenanceRecord {
  /** Workspace-relative path of the bundle. */
  bundle: string;
  subjects: { name: string; sha256?: string }[];
  predicateType?: string;
  builder?: string;
  buildType?: string;
  sourceRepository?: string;
  sourceRef?: string;
  /** Signer identity (certificate SAN, issuer) or key hint. */
  signer?: string;
  verified: boolean;
  /** Why it is not verified (code and words), when it is not. */
  reason?: string;
}

// ---------------------------------------------------------------------------------------------
// GenAI

export interface TokenUsage {
  prompt: number;
  completion: number;
  total: number;
}

export interface EvalEvidence {
  /** The eval suite(s) read (promptfoo). */
  tests: number;
  passed: number;
  failed: number;
  errors: number;
  /** passed / tests; null when no tests ran. */
  passRate: number | null;
  /** Mean score over all test results, in [0, 1]; null when no scores. */
  meanScore: number | null;
  assertions: { type: string; metric?: string; passed: number; failed: number; meanScore: number | null }[];
  tokens: TokenUsage;
  /** Total cost as reported (USD), and per request (cost / tests). */
  cost: number | null;
  costPerRequest: number | null;
  providers: string[];
  /** Prompt-injection suite results, when the file is one (or has tests tagged as such). */
  injection: { total: number; blocked: number; passed: boolean } | null;
}

export interface TelemetryEvidence {
  spans: number;
  /** Model calls: spans whose gen_ai.operation.name is chat, text_completion, generate_content or embeddings. */
  llmCalls: number;
  /** execute_tool spans. */
  toolCalls: number;
  models: string[];
  tokens: TokenUsage;
  /** Sum of a cost attribute when the trace carries one, else null. */
  cost: number | null;
  /** The longest run of consecutive tool calls inside one agent loop (trace), and where. */
  maxConsecutiveToolCalls: number;
  maxConsecutiveToolCallsTrace?: string;
  /** Largest (input tokens / context window) seen, when the window is known; in [0, 1+]. */
  contextWindowUse: number | null;
  /** prompt tokens / completion tokens over all calls; null when no completion tokens. */
  promptCompletionRatio: number | null;
}

// ---------------------------------------------------------------------------------------------
// Service metadata

export interface ServiceMetadata {
  /** Where it came from: genops.yaml or a Backstage catalog-info.yaml. */
  source: 'genops' | 'backstage';
  app: string;
  environment?: string;
  owner: string;
  costCenter?: string;
  tier?: 'critical' | 'high' | 'medium' | 'low';
  timezone?: string;
  slos: { name: string; objective: number; window?: string; errorBudgetRemaining?: number }[];
  dependents: string[];
  freezeWindows: { start: string; end: string; reason?: string }[];
}

// ---------------------------------------------------------------------------------------------
// Change metadata (GitHub API or a diff)

export interface ChangedFile {
  path: string;
  previousPath?: string;
  status: string;
  additions: number;
  deletions: number;
  /** CODEOWNERS owners of this path (last matching rule), empty when unowned. */
  owners: string[];
  /** Path-pattern categories this file falls in (`migration`, `infra`, `config`, ...). */
  categories: string[];
}

export interface Review {
  reviewer: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  isBot: boolean;
  /** The reviewer is a CODEOWNER of at least one changed path (user owners only; teams unresolved). */
  isCodeOwner: boolean;
  submittedAt?: string;
  /** The review was on the gated head commit (reviews of older commits may be stale). */
  onHead: boolean;
}

export interface ChangeEvidence {
  /** `github` when read from the API, `diff` when only a diff file was given. */
  source: 'github' | 'diff';
  pullRequest?: { number: number; title: string; draft: boolean; baseRef: string; headRef: string; url?: string };
  author?: { login: string; type: 'User' | 'Bot' | 'Organization'; association: string };
  labels: string[];
  files: ChangedFile[];
  totals: { files: number; additions: number; deletions: number };
  /** Files in each path-pattern category, e.g. `{ migration: 2, infra: 0 }`. */
  categories: Record<string, number>;
  reviews: Review[];
  approvals: { human: number; bot: number; codeOwner: number; changesRequested: number };
  codeowners: {
    /** Where the CODEOWNERS file was found, or null if there is none. */
    file: string | null;
    ownedFiles: number;
    unownedFiles: string[];
    /** Owners (users and teams) of the changed paths. */
    owners: string[];
  };
  ai: {
    /** The PR author is a coding agent or AI app (by login / type). */
    agentAuthor: string | null;
    /** AI tools named in `Co-authored-by` trailers or as commit authors. */
    coAuthors: string[];
    /** Commits (of the PR) attributed to an AI tool, of all commits. */
    aiCommits: number;
    commits: number;
    /** Share of changed lines (additions + deletions) in AI-attributed commits, in [0, 1]. */
    share: number;
  };
  /**
   * Identifiers the change adds (from the diff's added lines; at most 200): those used by the most
   * changed files first. Absent when no diff or patches were read, or they added none.
   */
  identifiers?: string[];
}

// ---------------------------------------------------------------------------------------------
// Deployment history

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  createdAt: string;
  /** Final status: success, failure, error, inactive, in_progress, queued, pending; or `unknown`. */
  state: string;
  /** When the final status was set. */
  finishedAt?: string;
  creator?: string;
}

export interface DeploymentEvidence {
  environment: string;
  deployments: DeploymentRecord[];
  counts: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// The whole predicate body (besides the common header)

export interface Evidence {
  sources: SourceRecord[];
  absent: SourceKind[];
  sbom: SbomEvidence | null;
  sbomDiff: SbomDiffEvidence | null;
  vulnerabilities: VulnerabilityEvidence | null;
  vex: VexEvidence | null;
  tests: TestEvidence | null;
  coverage: CoverageEvidence | null;
  provenance: ProvenanceEvidence | null;
  eval: EvalEvidence | null;
  telemetry: TelemetryEvidence | null;
  service: ServiceMetadata | null;
  change: ChangeEvidence | null;
  deployments: DeploymentEvidence | null;
}

/** Evidence with every source absent: the start of a collection, and a base for tests. */
export function emptyEvidence(): Evidence {
  return {
    sources: [],
    absent: [],
    sbom: null,
    sbomDiff: null,
    vulnerabilities: null,
    vex: null,
    tests: null,
    coverage: null,
    provenance: null,
    eval: null,
    telemetry: null,
    service: null,
    change: null,
    deployments: null,
  };
}
