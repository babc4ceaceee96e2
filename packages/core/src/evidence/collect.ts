/**
 * The evidence collector: resolves each source's globs inside the workspace, checks limits
 * before reading, hashes every file before parsing, hands each file to its format's parser, and
 * puts the sections together into one Evidence value. Any bad file stops the whole collection
 * (nothing partial is signed). Reads from GitHub happen outside (the action layer) and come in
 * as plain data, so this module stays free of I/O beyond the file-system interface.
 */
import type { ArtifactFileSystem } from '../artifact/handoff.js';
import { canonicalJson, sha256Hex } from '../artifact/canonical.js';
import { ConfigError, docUrl } from '../errors.js';
import type { ChangeOptions, RawChangeData } from './change.js';
import { analyzeChange, analyzeDiffChange, changeIdentifiers } from './change.js';
import { CODEOWNERS_LOCATIONS } from './codeowners.js';
import { buildCoverageEvidence, parseCoverageFile } from './coverage/index.js';
import { summarizeDeployments } from './deployments.js';
import { parseDiffFile, parseUnifiedDiff } from './diff.js';
import { mergeEval, parseEvalFile } from './genai/promptfoo.js';
import { buildTelemetryEvidence, parseTraceFile, type GenAiSpan } from './genai/otlp.js';
import type {
  CoverageReport,
  DeploymentRecord,
  DiffFile,
  Evidence,
  Finding,
  Parsed,
  ProvenanceRecord,
  SbomEvidence,
  SourceKind,
  SourceRecord,
  TestEvidence,
  EvalEvidence,
  VexStatement,
} from './model.js';
import { summarizeProvenance, verifyProvenanceFile, type ProvenancePolicy } from './provenance.js';
import { parseSbomFile } from './sbom/index.js';
import { diffSboms } from './sbom/diff.js';
import { parseServiceMetadataFile } from './service.js';
import { DEFAULT_LIMITS, ownParser, sourceFileOf, type EvidenceLimits, type SourceFile } from './source.js';
import { parseJunitFile, mergeTestEvidence } from './tests/junit.js';
import { buildVulnerabilityEvidence } from './vulns/merge.js';
import { parseVulnerabilityFile } from './vulns/index.js';
import { parseVexFile } from './vulns/vex.js';

/** Source kinds given as inputs (files by glob). */
export type FileSourceKind = Exclude<SourceKind, 'github' | 'codeowners'>;

export const FILE_SOURCE_KINDS: readonly FileSourceKind[] = [
  'sbom',
  'base-sbom',
  'vulnerabilities',
  'vex',
  'tests',
  'coverage',
  'diff',
  'provenance',
  'eval',
  'traces',
  'metadata',
];

/** The action input / CLI flag each file source comes from (errors name it). */
export const SOURCE_INPUTS: Readonly<Record<FileSourceKind, string>> = {
  sbom: 'sbom',
  'base-sbom': 'base-sbom',
  vulnerabilities: 'vulnerabilities',
  vex: 'vex',
  tests: 'junit',
  coverage: 'coverage',
  diff: 'diff',
  provenance: 'provenance',
  eval: 'eval',
  traces: 'traces',
  metadata: 'metadata',
};

/** Sources that take exactly one file. */
const SINGLE_FILE: ReadonlySet<FileSourceKind> = new Set(['base-sbom', 'metadata', 'diff']);

export interface CollectRequest {
  /** Paths or glob patterns per source kind, relative to the workspace. */
  patterns: Partial<Record<FileSourceKind, readonly string[]>>;
  limits?: Partial<EvidenceLimits>;
  /** Service metadata keys that must be present (default: app, environment, owner, costCenter). */
  requiredMetadata?: readonly string[];
  /** Absolute workspace path, to map absolute paths in coverage reports to repository paths. */
  workspaceRoot?: string;
  changeOptions?: Partial<ChangeOptions>;
  /** What the action layer read from GitHub (plain data). */
  github?: {
    change?: RawChangeData;
    deployments?: { environment: string; records: DeploymentRecord[] };
  };
  /**
   * Trust for provenance bundles (required when provenance files are given: provenance that
   * nobody said how to check is refused, not recorded as a shrug), and the built artifacts
   * that must each have verified provenance.
   */
  provenance?: { policy?: ProvenancePolicy; expectedSubjects?: readonly string[] };
  now: Date;
}

/** Rejects absolute paths and `..` segments before any glob runs. */
function checkPattern(input: string, pattern: string): void {
  const segments = pattern.split(/[\\/]+/);
  if (pattern.startsWith('/') || /^[A-Za-z]:[\\/]/.test(pattern) || pattern.startsWith('\\') || segments.includes('..')) {
    throw new ConfigError('INPUT_INVALID', `${input}: ${JSON.stringify(pattern)} points outside the workspace`, {
      input,
      expected: 'a path or glob relative to the workspace, without `..`',
      hint: 'Write evidence files inside the workspace (e.g. under `reports/`) and give their relative path.',
      docUrl: docUrl('evidence', 'limits'),
    });
  }
}

/** Characters that make a pattern a glob rather than a literal path. */
export const GLOB_CHARS = /[*?[\]{}()!]/;

/**
 * Resolves an input's paths and globs to confined, de-duplicated, sorted workspace paths: no
 * absolute path or `..`, no symlink out of the workspace, a literal path must exist, at most
 * `max` files. Every step that reads workspace files by glob goes through here.
 */
export async function resolveWorkspaceFiles(fs: ArtifactFileSystem, input: string, patterns: readonly string[], max: number): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns) {
    checkPattern(input, pattern);
    const matches = GLOB_CHARS.test(pattern) ? await fs.glob(pattern) : [pattern];
    if (!GLOB_CHARS.test(pattern) && (await fs.size(pattern)) === undefined) {
      throw new ConfigError('FILE_NOT_FOUND', `${input}: no file at ${JSON.stringify(pattern)}`, {
        input,
        file: pattern,
        expected: 'an existing file, relative to the workspace',
        hint: 'Check the path, and that the step writing it ran before this one (a glob that matches nothing is recorded as absent instead).',
      });
    }
    for (const m of matches) {
      const confined = await fs.confine(m);
      if (confined === undefined) {
        throw new ConfigError('INPUT_INVALID', `${input}: ${JSON.stringify(m)} resolves outside the workspace (symlink?)`, {
          input,
          file: m,
          expected: 'files inside the workspace',
          hint: 'Copy the file into the workspace instead of linking to it.',
          docUrl: docUrl('evidence', 'limits'),
        });
      }
      found.add(confined);
    }
  }
  const paths = [...found].sort();
  if (paths.length > max) {
    throw new ConfigError('INPUT_INVALID', `${input}: matches ${String(paths.length)} files, at most ${String(max)} allowed`, {
      input,
      expected: max === 1 ? 'exactly one file' : `at most ${String(max)} files`,
      actual: paths.slice(0, 5).join(', ') + (paths.length > 5 ? ', …' : ''),
      hint: max === 1 ? 'Give the one file for this source.' : 'Narrow the glob, or raise max-files-per-source.',
      docUrl: docUrl('evidence', 'limits'),
    });
  }
  return paths;
}

/** Resolves one source kind's patterns (one file for base-sbom, metadata and diff). */
function resolveSourcePaths(fs: ArtifactFileSystem, kind: FileSourceKind, patterns: readonly string[], limits: EvidenceLimits): Promise<string[]> {
  return resolveWorkspaceFiles(fs, SOURCE_INPUTS[kind], patterns, SINGLE_FILE.has(kind) ? 1 : limits.maxFilesPerSource);
}

/** Reads one resolved file after checking its size; hashes the exact bytes that will be parsed. */
export async function readWorkspaceFile(fs: ArtifactFileSystem, input: string, path: string, maxBytes: number): Promise<SourceFile> {
  const size = await fs.size(path);
  if (size === undefined) {
    throw new ConfigError('FILE_NOT_FOUND', `${input}: ${path} disappeared while being read`, { input, file: path });
  }
  if (size > maxBytes) {
    throw new ConfigError('FILE_INVALID', `${path} is ${String(size)} bytes, more than the ${String(maxBytes)} allowed`, {
      input,
      file: path,
      expected: `at most ${String(maxBytes)} bytes`,
      hint: 'Raise max-file-bytes if the file is genuine.',
      docUrl: docUrl('evidence', 'limits'),
    });
  }
  const bytes = await fs.readFile(path);
  if (bytes.length > maxBytes) {
    throw new ConfigError('FILE_INVALID', `${path} grew past ${String(maxBytes)} bytes while being read`, { input, file: path });
  }
  return sourceFileOf(path, bytes);
}

function record<T>(kind: SourceKind, file: Pick<SourceFile, 'path' | 'sha256'> & { size: number }, parsed: Parsed<T>): SourceRecord {
  const r: SourceRecord = { kind, path: file.path, sha256: file.sha256, size: file.size, format: parsed.format, parser: parsed.parser, warnings: parsed.warnings };
  return r;
}

/** A source read from an API: its digest is over the canonical JSON of what was read. */
export function apiSource(path: string, format: string, data: unknown, warnings: string[] = []): SourceRecord {
  const json = canonicalJson(data);
  return {
    kind: 'github',
    path,
    sha256: sha256Hex(json),
    size: Buffer.byteLength(json),
    format,
    parser: { name: 'genops/github', version: 'v3' },
    warnings,
  };
}

/** Collects every given source into one Evidence value. Throws on the first bad file. */
export async function collectEvidence(fs: ArtifactFileSystem, req: CollectRequest): Promise<Evidence> {
  const limits: EvidenceLimits = { ...DEFAULT_LIMITS, ...req.limits };
  const sources: SourceRecord[] = [];

  // Resolve every kind first, so a bad pattern or a count over the limit fails before any parsing.
  const files = new Map<FileSourceKind, string[]>();
  for (const kind of FILE_SOURCE_KINDS) {
    const patterns = req.patterns[kind] ?? [];
    if (patterns.length > 0) files.set(kind, await resolveSourcePaths(fs, kind, patterns, limits));
  }

  async function each<T>(kind: FileSourceKind, parse: (file: SourceFile) => Parsed<T> | Promise<Parsed<T>>): Promise<T[]> {
    const out: T[] = [];
    for (const path of files.get(kind) ?? []) {
      const file = await readWorkspaceFile(fs, SOURCE_INPUTS[kind], path, limits.maxFileBytes);
      const parsed = await parse(file);
      sources.push(record(kind, { path, sha256: file.sha256, size: file.bytes.length }, parsed));
      out.push(parsed.value);
    }
    return out;
  }

  const sboms: SbomEvidence[] = await each('sbom', (f) => parseSbomFile(f, limits));
  const baseSboms: SbomEvidence[] = await each('base-sbom', (f) => parseSbomFile(f, limits));
  const findings: Finding[][] = await each('vulnerabilities', (f) => parseVulnerabilityFile(f, limits));
  const vex: VexStatement[][] = await each('vex', (f) => parseVexFile(f));
  const tests: TestEvidence[] = await each('tests', (f) => parseJunitFile(f, limits));
  const coverage: CoverageReport[] = await each('coverage', (f) => parseCoverageFile(f));
  const diffs: DiffFile[][] = await each('diff', (f) => parseDiffFile(f));
  const evals: EvalEvidence[] = await each('eval', (f) => parseEvalFile(f));
  const spans: GenAiSpan[][] = await each('traces', (f) => parseTraceFile(f, limits));
  const services = await each('metadata', (f) => parseServiceMetadataFile(f, req.requiredMetadata));
  const provenancePolicy = req.provenance?.policy;
  if ((files.get('provenance') ?? []).length > 0 && provenancePolicy === undefined) {
    throw new ConfigError('INPUT_MISSING', 'provenance bundles were given, but not whom to trust for them', {
      input: 'provenance-public-keys',
      expected: 'provenance-public-keys (key mode) or provenance-certificate-identity (keyless), and provenance-builder-ids',
      hint: 'Say which signer and builders you accept; genops does not record provenance it was not told how to check.',
      docUrl: docUrl('evidence', 'provenance'),
    });
  }
  const provenance: ProvenanceRecord[] = await each('provenance', (f) => verifyProvenanceFile(f, provenancePolicy as ProvenancePolicy, req.now, limits));

  const allFindings = findings.flat();
  if (allFindings.length > limits.maxFindings) {
    throw new ConfigError('FILE_INVALID', `vulnerability reports list ${String(allFindings.length)} findings, more than ${String(limits.maxFindings)}`, {
      input: SOURCE_INPUTS.vulnerabilities,
      expected: `at most ${String(limits.maxFindings)} findings over all reports`,
      hint: 'Raise max-findings if the reports are genuine.',
    });
  }

  const sbom = mergeSboms(sboms);
  const base = baseSboms[0];
  const diff = diffs[0] ?? null;
  const github = req.github;
  let change = null;
  let changedLines = diff;
  if (github?.change !== undefined) {
    const analyzed = analyzeChange(github.change, req.changeOptions ?? {});
    change = analyzed.value;
    sources.push(apiSource(`github:pulls/${String(github.change.pullRequest.number)}`, 'github-rest', github.change, [...github.change.notes, ...analyzed.warnings]));
    const patchDiff = diffFromPatches(github.change);
    changedLines ??= patchDiff;
    const identifiers = changeIdentifiers(diff ?? patchDiff ?? []);
    if (identifiers.length > 0) change.identifiers = identifiers;
  } else if (diff !== null) {
    const codeowners = await readWorkspaceCodeowners(fs, limits);
    const analyzed = analyzeDiffChange(diff, codeowners, req.changeOptions ?? {});
    change = analyzed.value;
    const diffSource = sources.find((s) => s.kind === 'diff');
    if (diffSource !== undefined) diffSource.warnings.push(...analyzed.warnings);
    if (codeowners !== null) {
      const bytes = Buffer.from(codeowners.text);
      sources.push({ kind: 'codeowners', path: codeowners.path, sha256: sha256Hex(bytes), size: bytes.length, format: 'codeowners', parser: ownParser('codeowners'), warnings: [] });
    }
  }
  let deployments = null;
  if (github?.deployments !== undefined) {
    deployments = summarizeDeployments(github.deployments.environment, github.deployments.records);
    sources.push(apiSource(`github:deployments/${github.deployments.environment}`, 'github-rest', github.deployments.records));
  }

  const given = new Set(sources.map((s) => s.kind));
  const absent = ([...FILE_SOURCE_KINDS, 'github'] as SourceKind[]).filter((k) => !given.has(k));
  sources.sort((a, b) => (a.kind === b.kind ? (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) : a.kind < b.kind ? -1 : 1));

  const evidence: Evidence = {
    sources,
    absent,
    sbom,
    sbomDiff: sbom !== null && base !== undefined ? diffSboms(base, sbom) : null,
    // VEX without a scanner report says nothing about which vulnerabilities there are: still absent.
    vulnerabilities: findings.length === 0 ? null : buildVulnerabilityEvidence(allFindings, vex.flat()),
    vex: vex.length === 0 ? null : { statements: vex.flat() },
    tests: tests.length === 0 ? null : mergeTestEvidence(tests),
    coverage: coverage.length === 0 ? null : buildCoverageEvidence(coverage, changedLines, req.workspaceRoot === undefined ? {} : { workspaceRoot: req.workspaceRoot }),
    provenance: provenance.length === 0 && req.provenance?.expectedSubjects === undefined ? null : summarizeProvenance(provenance, req.provenance?.expectedSubjects === undefined ? undefined : [...req.provenance.expectedSubjects]),
    eval: evals.length === 0 ? null : mergeEval(evals),
    telemetry: spans.length === 0 ? null : buildTelemetryEvidence(spans.flat()),
    service: services[0] ?? null,
    change,
    deployments,
  };
  return evidence;
}

/** Several SBOMs (e.g. one per package of a monorepo) are one inventory: components concatenated. */
function mergeSboms(sboms: SbomEvidence[]): SbomEvidence | null {
  const [first, ...rest] = sboms;
  if (first === undefined) return null;
  if (rest.length === 0) return first;
  const components = sboms.flatMap((s) => s.components);
  const t = { components: 0, direct: 0, transitive: 0, unknownScope: 0, withoutLicense: 0 };
  for (const s of sboms) {
    t.components += s.totals.components;
    t.direct += s.totals.direct;
    t.transitive += s.totals.transitive;
    t.unknownScope += s.totals.unknownScope;
    t.withoutLicense += s.totals.withoutLicense;
  }
  const merged: SbomEvidence = { ...first, components, totals: t };
  // Valid only if every checked file was; unknown if none was checked.
  const checked = sboms.filter((s) => s.schemaValid !== undefined);
  if (checked.length > 0) merged.schemaValid = checked.every((s) => s.schemaValid === true);
  else delete merged.schemaValid;
  return merged;
}

/**
 * The API's per-file patches as one unified diff, so changed-line coverage works without a diff
 * file. GitHub leaves out the patch of binary and very large files; those lines count as unknown.
 */
function diffFromPatches(change: RawChangeData): DiffFile[] | null {
  const parts: string[] = [];
  for (const f of change.files) {
    if (f.patch === undefined || f.status === 'removed') continue;
    parts.push(`diff --git a/${f.previousPath ?? f.path} b/${f.path}\n--- a/${f.previousPath ?? f.path}\n+++ b/${f.path}\n${f.patch}\n`);
  }
  return parts.length === 0 ? null : parseUnifiedDiff(parts.join(''), 'github:pulls/files');
}

async function readWorkspaceCodeowners(fs: ArtifactFileSystem, limits: EvidenceLimits): Promise<{ path: string; text: string } | null> {
  for (const path of CODEOWNERS_LOCATIONS) {
    const size = await fs.size(path);
    if (size === undefined || (await fs.confine(path)) === undefined) continue;
    if (size > Math.min(limits.maxFileBytes, 3 * 1024 * 1024)) return null; // GitHub ignores a CODEOWNERS over 3 MB.
    return { path, text: (await fs.readFile(path)).toString('utf8') };
  }
  return null;
}
