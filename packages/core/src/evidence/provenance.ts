/**
 * Build provenance: Sigstore bundles whose DSSE payload is an in-toto Statement carrying SLSA
 * provenance, as written by actions/attest-build-provenance, `cosign attest --new-bundle-format`,
 * slsa-github-generator and npm provenance. Each bundle becomes one ProvenanceRecord.
 *
 * Verification reuses the artifact verifier's signature check (verifyBundleSignature: pinned keys
 * by hint, or a Fulcio certificate chained to the trusted root at the transparency-log / TSA
 * signing time, SCTs and log entries), then checks what is specific to provenance: the signer
 * identity, the builder id, the source repository. A bundle that fails any check is still a
 * record, `verified: false` with `reason` `<CODE>: words`: recording what was unverified and why
 * is the point. Only a file that is not a Sigstore bundle at all is a FILE_INVALID error.
 *
 * Fields read from the statement (subjects, builder, source) are recorded even when verification
 * fails: they are then what the bundle claims, never trusted (summarizeProvenance counts only
 * verified records as covering a subject).
 */
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { parseDigest } from '../artifact/canonical.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../artifact/statement.js';
import { verifyBundleSignature, type SignatureTrust, type VerifiedSignature } from '../artifact/verify.js';
import { VerificationError, type VerificationErrorCode } from '../errors.js';
import { PUBLIC_GOOD_TRUSTED_ROOT } from '../schemas/generated/public-good-trusted-root.js';
import type { Parsed, ProvenanceEvidence, ProvenanceRecord } from './model.js';
import {
  checkProvenancePolicy,
  expectedRepository,
  normalizeRepository,
  signerIdentities,
  signerMatches,
  SLSA_PROVENANCE_V0_2,
  SLSA_PROVENANCE_V1,
  type ProvenancePolicy,
  type ProvenanceTrust,
} from './provenance-policy.js';
import { asArray, asRecord, asString, DEFAULT_LIMITS, formatError, isRecord, limitError, ownParser, parseJsonText, sourceText, Warnings, type EvidenceLimits, type SourceFile } from './source.js';

export * from './provenance-policy.js';

/** Why a record is not verified: the first check that failed. */
export type ProvenanceReasonCode =
  | 'BUNDLE_INVALID'
  | 'UNSIGNED'
  | 'PAYLOAD_TYPE_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'KEY_UNTRUSTED'
  | 'TLOG_INVALID'
  | 'IDENTITY_MISMATCH'
  | 'NOT_YET_VALID'
  | 'STATEMENT_INVALID'
  | 'PREDICATE_TYPE_MISMATCH'
  | 'BUILDER_MISMATCH'
  | 'SOURCE_MISMATCH'
  | 'NO_PROVENANCE';

const PARSER = ownParser('provenance');

/** Sigstore bundle media types -> bundle version. A Map: media types are untrusted keys. */
const BUNDLE_MEDIA_TYPES: ReadonlyMap<string, string> = new Map([
  ['application/vnd.dev.sigstore.bundle+json;version=0.1', '0.1'],
  ['application/vnd.dev.sigstore.bundle+json;version=0.2', '0.2'],
  ['application/vnd.dev.sigstore.bundle+json;version=0.3', '0.3'],
  ['application/vnd.dev.sigstore.bundle.v0.3+json', '0.3'],
]);

const EXPECTED =
  'a Sigstore bundle (media type application/vnd.dev.sigstore.bundle+json;version=0.1, 0.2 or 0.3, or application/vnd.dev.sigstore.bundle.v0.3+json) ' +
  'with a DSSE envelope carrying an in-toto SLSA provenance statement';
const BUNDLE_HINT =
  'Give the Sigstore bundle: the bundle-path output of actions/attest-build-provenance, `gh attestation download`, ' +
  '`cosign attest --new-bundle-format --bundle`, or an npm provenance bundle.';

const STATEMENT_TYPES: ReadonlySet<string> = new Set(['https://in-toto.io/Statement/v1', 'https://in-toto.io/Statement/v0.1']);

/** Build types whose source is `externalParameters.workflow` {repository, ref, path}. */
const GITHUB_ACTIONS_BUILD_TYPES: ReadonlySet<string> = new Set([
  'https://actions.github.io/buildtypes/workflow/v1',
  'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
]);

// The evidence schema's bounds (evidence.schema.json provenanceRecord): longer strings are cut.
const MAX_TEXT = 4096;
const MAX_REASON = 1024;
const MAX_SUBJECTS = 10_000;
const DEFAULT_CLOCK_SKEW_SECONDS = 300;
const SHA256_HEX = /^[0-9a-f]{64}$/;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

// ---------------------------------------------------------------------------------------------
// Reading the file: one bundle (JSON), bundles as JSON lines (`gh attestation download`), or the
// GitHub attestations API response ({"attestations": [{"bundle": ...}]}).

interface BundleDocument {
  value: Record<string, unknown>;
  version: string;
  /** 1-based line, for JSON lines files. */
  line?: number;
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function jsonLines(file: SourceFile, text: string): { value: unknown; line: number }[] {
  const lines = text.split('\n');
  const out: { value: unknown; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const parsed = tryJson(line);
    if (!parsed.ok) {
      // Not JSON lines after all (or broken on its first line): report the whole file's JSON error.
      if (out.length === 0) parseJsonText(file, text, EXPECTED);
      throw formatError(file, `line ${String(i + 1)} is not valid JSON (a JSON lines file holds one bundle per line)`, { expected: EXPECTED, line: i + 1, hint: BUNDLE_HINT });
    }
    out.push({ value: parsed.value, line: i + 1 });
  }
  // One line that parses would have parsed as a whole; anything else is not JSON.
  if (out.length < 2) parseJsonText(file, text, EXPECTED);
  return out;
}

function classify(file: SourceFile, value: unknown, line: number | undefined): BundleDocument {
  const where = line === undefined ? '' : `line ${String(line)}: `;
  const at = line === undefined ? {} : { line };
  if (!isRecord(value)) {
    throw formatError(file, `${where}is JSON but not a Sigstore bundle object`, { expected: EXPECTED, ...at, hint: BUNDLE_HINT });
  }
  const mediaType = value.mediaType;
  const version = typeof mediaType === 'string' ? BUNDLE_MEDIA_TYPES.get(mediaType) : undefined;
  if (version !== undefined) return { value, version, ...at };
  if (typeof mediaType === 'string' && mediaType.startsWith('application/vnd.dev.sigstore.bundle')) {
    throw formatError(file, `${where}is a Sigstore bundle of an unsupported version (${clip(mediaType, 200)})`, {
      expected: `a Sigstore bundle with one of the media types ${[...BUNDLE_MEDIA_TYPES.keys()].join(', ')}`,
      ...at,
      hint: 'Write the bundle with a Sigstore client that emits bundle v0.1 to v0.3.',
    });
  }
  if ('payloadType' in value && 'signatures' in value) {
    throw formatError(file, `${where}is a bare DSSE envelope, not a Sigstore bundle: it carries no certificate or key to verify it with`, { expected: EXPECTED, ...at, hint: BUNDLE_HINT });
  }
  if ('_type' in value && 'predicateType' in value) {
    throw formatError(file, `${where}is an unsigned in-toto statement, not a Sigstore bundle`, { expected: EXPECTED, ...at, hint: BUNDLE_HINT });
  }
  throw formatError(file, `${where}is not a Sigstore bundle (no Sigstore bundle mediaType)`, { expected: EXPECTED, ...at, hint: BUNDLE_HINT });
}

function readBundleDocuments(file: SourceFile, limits: EvidenceLimits): BundleDocument[] {
  const text = sourceText(file, EXPECTED);
  const whole = tryJson(text);
  let docs: { value: unknown; line?: number }[];
  if (whole.ok) {
    const api = asRecord(whole.value);
    const attestations = api !== undefined && api.mediaType === undefined && Array.isArray(api.attestations) ? api.attestations : undefined;
    docs = attestations === undefined ? [{ value: whole.value }] : attestations.map((a) => ({ value: asRecord(a)?.bundle }));
  } else {
    docs = jsonLines(file, text);
  }
  if (docs.length === 0) throw formatError(file, 'holds no Sigstore bundle (an empty attestations list)', { expected: EXPECTED, hint: BUNDLE_HINT });
  if (docs.length > limits.maxFilesPerSource) throw limitError(file, 'bundles in one file', limits.maxFilesPerSource, 'maxFilesPerSource');
  return docs.map((d) => classify(file, d.value, d.line));
}

// ---------------------------------------------------------------------------------------------
// The statement: subjects and the SLSA fields, read as claims.

interface Claims {
  subjects: ProvenanceRecord['subjects'];
  predicateType?: string;
  slsaVersion?: '1' | '0.2';
  builder?: string;
  buildType?: string;
  sourceRepository?: string;
  sourceRef?: string;
  /** Why the payload is not a usable statement (STATEMENT_INVALID), when it is not. */
  problem?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `git+https://github.com/o/r@refs/heads/main` -> repository and ref (the `@` after the host). */
function splitGitUri(uri: string): { repository: string; ref?: string } {
  const s = uri.startsWith('git+') ? uri.slice(4) : uri;
  const scheme = s.indexOf('://');
  const pathStart = scheme < 0 ? 0 : s.indexOf('/', scheme + 3);
  const at = s.lastIndexOf('@');
  if (pathStart >= 0 && at > pathStart) {
    const ref = s.slice(at + 1);
    return ref === '' ? { repository: s.slice(0, at) } : { repository: s.slice(0, at), ref };
  }
  return { repository: s };
}

/** The first `git+` resource of a list (SLSA: the source comes first by convention). */
function firstGitSource(list: unknown): { repository: string; ref?: string } | undefined {
  for (const item of asArray(list)) {
    const uri = asString(asRecord(item)?.uri);
    if (uri?.startsWith('git+') === true) return splitGitUri(uri);
  }
  return undefined;
}

function setSource(claims: Claims, source: { repository: string; ref?: string } | undefined): void {
  if (source === undefined) return;
  claims.sourceRepository = source.repository;
  if (source.ref !== undefined) claims.sourceRef = source.ref;
}

function readSlsaV1(predicate: Record<string, unknown>, claims: Claims, warnings: Warnings): void {
  const definition = asRecord(predicate.buildDefinition);
  const run = asRecord(predicate.runDetails);
  if (definition === undefined || run === undefined) {
    claims.problem = 'the SLSA v1 predicate has no buildDefinition or runDetails';
  }
  const builder = asString(asRecord(run?.builder)?.id);
  if (builder !== undefined) claims.builder = builder;
  const buildType = asString(definition?.buildType);
  if (buildType !== undefined) claims.buildType = buildType;
  if (buildType !== undefined && GITHUB_ACTIONS_BUILD_TYPES.has(buildType)) {
    const workflow = asRecord(asRecord(definition?.externalParameters)?.workflow);
    const repository = asString(workflow?.repository);
    const ref = asString(workflow?.ref);
    if (repository !== undefined) {
      setSource(claims, ref === undefined ? { repository } : { repository, ref });
      return;
    }
    warnings.add(`build type ${buildType} without externalParameters.workflow.repository: the source is read from resolvedDependencies`);
  }
  setSource(claims, firstGitSource(definition?.resolvedDependencies));
}

function readSlsaV02(predicate: Record<string, unknown>, claims: Claims): void {
  const builder = asString(asRecord(predicate.builder)?.id);
  if (builder !== undefined) claims.builder = builder;
  const buildType = asString(predicate.buildType);
  if (buildType !== undefined) claims.buildType = buildType;
  const configUri = asString(asRecord(asRecord(predicate.invocation)?.configSource)?.uri);
  setSource(claims, configUri !== undefined ? splitGitUri(configUri) : firstGitSource(predicate.materials));
}

function readSubjects(statement: Record<string, unknown>, claims: Claims, warnings: Warnings): void {
  const list = statement.subject;
  if (!Array.isArray(list) || list.length === 0) {
    claims.problem ??= 'the statement names no subject';
    return;
  }
  if (list.length > MAX_SUBJECTS) warnings.add(`${String(list.length)} subjects: the first ${String(MAX_SUBJECTS)} are recorded`);
  for (const item of list.slice(0, MAX_SUBJECTS)) {
    const subject = asRecord(item);
    const digest = asRecord(subject?.digest);
    if (subject === undefined || digest === undefined) {
      warnings.add('a subject without a digest is left out');
      continue;
    }
    const name = asString(subject.name) ?? asString(subject.uri);
    if (name === undefined) warnings.add('a subject has no name (recorded with an empty name)');
    else if (name.length > MAX_TEXT) warnings.add(`a subject name of ${String(name.length)} characters is cut to ${String(MAX_TEXT)}`);
    const entry: ProvenanceRecord['subjects'][number] = { name: clip(name ?? '', MAX_TEXT) };
    const sha256 = digest.sha256;
    if (typeof sha256 === 'string' && SHA256_HEX.test(sha256.toLowerCase())) entry.sha256 = sha256.toLowerCase();
    else if (sha256 !== undefined) warnings.add(`subject ${clip(name ?? '(no name)', 200)} has a sha256 digest that is not 64 hex digits: left out`);
    else warnings.add(`subject ${clip(name ?? '(no name)', 200)} has no sha256 digest (${clip(Object.keys(digest).join(', '), 100) || 'none'}): it cannot cover an expected sha256 subject`);
    claims.subjects.push(entry);
  }
}

function readStatement(payload: Buffer, warnings: Warnings): Claims {
  const claims: Claims = { subjects: [] };
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { ...claims, problem: 'the signed payload is not UTF-8 text' };
  }
  const parsed = tryJson(text);
  if (!parsed.ok) return { ...claims, problem: 'the signed payload is not JSON' };
  const statement = asRecord(parsed.value);
  if (statement === undefined) return { ...claims, problem: 'the signed payload is not a JSON object' };
  const type = statement._type;
  if (typeof type !== 'string' || !STATEMENT_TYPES.has(type)) {
    claims.problem = `the signed payload is not an in-toto Statement (v0.1 or v1): _type is ${typeof type === 'string' ? clip(type, 200) : 'missing'}`;
  }
  readSubjects(statement, claims, warnings);
  const predicateType = asString(statement.predicateType);
  if (predicateType !== undefined) claims.predicateType = predicateType;
  const predicate = asRecord(statement.predicate);
  if (predicateType === SLSA_PROVENANCE_V1 || predicateType === SLSA_PROVENANCE_V0_2) {
    claims.slsaVersion = predicateType === SLSA_PROVENANCE_V1 ? '1' : '0.2';
    if (predicate === undefined) claims.problem ??= 'the statement has no predicate object';
    else if (claims.slsaVersion === '1') readSlsaV1(predicate, claims, warnings);
    else readSlsaV02(predicate, claims);
  }
  return claims;
}

// ---------------------------------------------------------------------------------------------
// Verification of one bundle.

function signatureTrust(trust: ProvenanceTrust): SignatureTrust {
  if (trust.mode === 'key') return { mode: 'key', keys: [...trust.keys] };
  const logs = trust.transparencyLog === false ? 0 : 1;
  return { mode: 'keyless', trustedRoot: trust.trustedRoot ?? PUBLIC_GOOD_TRUSTED_ROOT, tlogThreshold: logs, ctlogThreshold: logs };
}

function describeSigner(v: VerifiedSignature): string {
  const s = v.signer;
  if (s.mode === 'key') return `key ${s.keyId ?? '(no key hint)'}`;
  return `${s.identity ?? '(no SAN)'} (issuer ${s.issuer ?? 'unknown'})`;
}

/** A VerificationError as reason words: its message without the file path it starts with. */
function verificationWords(e: VerificationError, file: SourceFile): string {
  const prefix = `${file.path}: `;
  const text = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  return `bundle ${text}`;
}

function unsignedOrInvalid(doc: BundleDocument, e: unknown): { code: ProvenanceReasonCode; words: string } {
  const envelope = asRecord(doc.value.dsseEnvelope);
  if (envelope !== undefined) {
    const signatures = envelope.signatures;
    if (!Array.isArray(signatures) || signatures.length === 0) return { code: 'UNSIGNED', words: 'the DSSE envelope carries no signature' };
    if (signatures.length > 1) return { code: 'BUNDLE_INVALID', words: `the DSSE envelope carries ${String(signatures.length)} signatures; a Sigstore bundle has exactly one` };
  }
  const fields = isRecord(e) && Array.isArray(e.fields) ? e.fields.filter((f): f is string => typeof f === 'string') : [];
  const detail = fields.length > 0 ? `missing or empty: ${fields.slice(0, 5).join(', ')}` : e instanceof Error ? e.message : String(e);
  return { code: 'BUNDLE_INVALID', words: `not a valid Sigstore bundle ${doc.version} (${clip(detail, 300)})` };
}

interface BundleResult {
  record: ProvenanceRecord;
  format: string;
}

/** The record, its fields in the model's order. */
function finish(file: SourceFile, claims: Claims | undefined, signer: string | undefined, reason: string | undefined): ProvenanceRecord {
  const text = (key: keyof ProvenanceRecord, v: string | undefined): Partial<ProvenanceRecord> => (v === undefined ? {} : { [key]: clip(v, MAX_TEXT) });
  return {
    bundle: file.path,
    subjects: claims?.subjects ?? [],
    ...text('predicateType', claims?.predicateType),
    ...text('builder', claims?.builder),
    ...text('buildType', claims?.buildType),
    ...text('sourceRepository', claims?.sourceRepository),
    ...text('sourceRef', claims?.sourceRef),
    ...text('signer', signer),
    verified: reason === undefined,
    ...(reason === undefined ? {} : { reason: clip(reason, MAX_REASON) }),
  };
}

function verifyDocument(file: SourceFile, doc: BundleDocument, policy: ProvenancePolicy, trust: SignatureTrust, now: Date, warnings: Warnings): BundleResult {
  const bundleFormat = `sigstore-bundle@${doc.version}`;
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(doc.value);
  } catch (e) {
    const { code, words } = unsignedOrInvalid(doc, e);
    return { record: finish(file, undefined, undefined, `${code}: ${words}`), format: bundleFormat };
  }
  if (bundle.content.$case !== 'dsseEnvelope') {
    return { record: finish(file, undefined, undefined, 'BUNDLE_INVALID: the bundle holds a message signature (a signed blob), not a DSSE attestation'), format: bundleFormat };
  }
  const envelope = bundle.content.dsseEnvelope;

  // Claims come from the payload bytes the signature covers (the decoded envelope), never from a
  // second decoding of the JSON: what is recorded is what was checked.
  const statement = readStatement(envelope.payload, warnings);
  const format = statement.slsaVersion === undefined ? bundleFormat : `${bundleFormat}+slsa-provenance@${statement.slsaVersion}`;
  if (statement.slsaVersion === '0.2') warnings.add('SLSA provenance v0.2 is superseded by v1: recorded, but upgrade the builder when you can');
  const unverified = (code: ProvenanceReasonCode | VerificationErrorCode, words: string, signer?: string): BundleResult => ({ record: finish(file, statement, signer, `${code}: ${words}`), format });

  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return unverified('PAYLOAD_TYPE_MISMATCH', `the DSSE payload type is ${JSON.stringify(clip(envelope.payloadType, 200))}, not ${IN_TOTO_PAYLOAD_TYPE}`);
  }

  let verified: VerifiedSignature;
  try {
    verified = verifyBundleSignature(bundle, file.path, trust);
  } catch (e) {
    if (e instanceof VerificationError) return unverified(e.code, verificationWords(e, file));
    throw e;
  }
  const signer = describeSigner(verified);

  const certRepository = verified.extensions.sourceRepositoryUri;
  if (policy.trust.mode === 'keyless') {
    const identities = signerIdentities(policy.trust);
    if (!signerMatches(verified.signer.identity, verified.signer.issuer, identities)) {
      const want = identities.map((i) => `${i.subjectAlternativeName} (issuer ${i.issuer})`).join(', ');
      return unverified('IDENTITY_MISMATCH', `signed by ${signer}, which is none of the trusted signers: ${want}`, signer);
    }
  }

  const signedAt = verified.signer.integratedTime === undefined ? Number.NaN : Date.parse(verified.signer.integratedTime);
  const skewMs = (policy.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000;
  if (Number.isFinite(signedAt) && signedAt > now.getTime() + skewMs) {
    return unverified('NOT_YET_VALID', `signed at ${new Date(signedAt).toISOString()}, after the verifier's time ${now.toISOString()}`, signer);
  }

  if (statement.problem !== undefined) return unverified('STATEMENT_INVALID', statement.problem, signer);
  if (statement.slsaVersion === undefined) {
    return unverified('PREDICATE_TYPE_MISMATCH', `the predicate type is ${statement.predicateType === undefined ? 'missing' : clip(statement.predicateType, 200)}, not SLSA provenance (${SLSA_PROVENANCE_V1} or ${SLSA_PROVENANCE_V0_2})`, signer);
  }
  if (statement.builder === undefined) return unverified('BUILDER_MISMATCH', 'the provenance names no builder id', signer);
  if (!policy.builderIds.includes(statement.builder)) {
    return unverified('BUILDER_MISMATCH', `built by ${clip(statement.builder, 300)}, which is none of the trusted builders: ${policy.builderIds.join(', ')}`, signer);
  }

  // Keyless: the certificate's source repository (set by Fulcio from the OIDC token) is the
  // verified fact; a statement claiming another repository is not believed.
  if (certRepository !== undefined && statement.sourceRepository !== undefined && normalizeRepository(certRepository) !== normalizeRepository(statement.sourceRepository)) {
    return unverified('SOURCE_MISMATCH', `claims source repository ${clip(statement.sourceRepository, 300)}, but was signed from ${certRepository}`, signer);
  }
  const wantRepository = expectedRepository(policy);
  if (wantRepository !== undefined) {
    if (statement.sourceRepository === undefined) return unverified('SOURCE_MISMATCH', `names no source repository (expected ${wantRepository})`, signer);
    if (normalizeRepository(statement.sourceRepository) !== wantRepository) {
      return unverified('SOURCE_MISMATCH', `built from ${clip(statement.sourceRepository, 300)}, not ${wantRepository}`, signer);
    }
    if (certRepository !== undefined && normalizeRepository(certRepository) !== wantRepository) {
      return unverified('SOURCE_MISMATCH', `signed from ${certRepository}, not ${wantRepository}`, signer);
    }
  }

  return { record: finish(file, statement, signer, undefined), format };
}

function verifyDocuments(file: SourceFile, docs: BundleDocument[], policy: ProvenancePolicy, now: Date, warnings: Warnings): BundleResult[] {
  const trust = signatureTrust(policy.trust);
  return docs.map((doc) => verifyDocument(file, doc, policy, trust, now, warnings));
}

/**
 * Verifies one provenance bundle file against the policy. Returns a record whether or not it
 * verifies (`verified`, and `reason` when not). Throws ConfigError FILE_INVALID only for a file
 * that is not one Sigstore bundle (not JSON, not a bundle, or several bundles: see
 * verifyProvenanceBundles), and ConfigError INPUT_INVALID for a policy that trusts nothing or too
 * much (checkProvenancePolicy). `now` is the verifier's clock: a signing time after it (beyond the
 * policy's skew) is NOT_YET_VALID. Certificates are checked at the signing time, per Sigstore.
 */
export function verifyProvenanceFile(file: SourceFile, policy: ProvenancePolicy, now: Date, limits: EvidenceLimits = DEFAULT_LIMITS): Promise<Parsed<ProvenanceRecord>> {
  return Promise.resolve().then(() => {
    checkProvenancePolicy(policy);
    const docs = readBundleDocuments(file, limits);
    const [doc] = docs;
    if (doc === undefined || docs.length > 1) {
      throw formatError(file, `holds ${String(docs.length)} bundles; a provenance file holds one`, {
        expected: EXPECTED,
        hint: 'Give each bundle its own file (`gh attestation download` writes one per line: split the lines).',
      });
    }
    const warnings = new Warnings(limits.maxWarnings);
    const [result] = verifyDocuments(file, [doc], policy, now, warnings);
    if (result === undefined) throw formatError(file, 'holds no Sigstore bundle', { expected: EXPECTED, hint: BUNDLE_HINT });
    return { value: result.record, format: result.format, parser: PARSER, warnings: warnings.done() };
  });
}

/**
 * Like verifyProvenanceFile, for files that hold several bundles: JSON lines (as
 * `gh attestation download` writes) or a GitHub attestations API response. One record per bundle.
 */
export function verifyProvenanceBundles(file: SourceFile, policy: ProvenancePolicy, now: Date, limits: EvidenceLimits = DEFAULT_LIMITS): Promise<Parsed<ProvenanceRecord[]>> {
  return Promise.resolve().then(() => {
    checkProvenancePolicy(policy);
    const docs = readBundleDocuments(file, limits);
    const warnings = new Warnings(limits.maxWarnings);
    const results = verifyDocuments(file, docs, policy, now, warnings);
    const formats = [...new Set(results.map((r) => r.format))];
    return { value: results.map((r) => r.record), format: formats.join(', '), parser: PARSER, warnings: warnings.done() };
  });
}

/** The `bundle` of a record that stands for a missing provenance (no file). */
export const NO_BUNDLE = '(none)';

/**
 * Puts records together. With expected subjects (the sha256 digests of the artifacts being
 * deployed, `sha256:<hex>` or hex), each one that no verified record names as a subject adds an
 * unverified record `NO_PROVENANCE`, naming any unverified bundles that claim it.
 */
export function summarizeProvenance(records: ProvenanceRecord[], expectedSubjects?: readonly string[]): ProvenanceEvidence {
  const artifacts = [...records];
  if (expectedSubjects !== undefined) {
    const covered = new Set<string>();
    const claimedBy = new Map<string, string[]>();
    for (const r of records) {
      for (const s of r.subjects) {
        if (s.sha256 === undefined) continue;
        if (r.verified) covered.add(s.sha256);
        else {
          const list = claimedBy.get(s.sha256) ?? [];
          if (!list.includes(r.bundle)) list.push(r.bundle);
          claimedBy.set(s.sha256, list);
        }
      }
    }
    const seen = new Set<string>();
    for (const raw of expectedSubjects) {
      const hex = parseDigest(raw);
      const key = hex ?? raw.trim();
      if (seen.has(key)) continue;
      seen.add(key);
      if (hex === undefined) {
        artifacts.push({ bundle: NO_BUNDLE, subjects: [{ name: clip(raw, MAX_TEXT) }], verified: false, reason: clip(`NO_PROVENANCE: expected subject ${JSON.stringify(raw)} is not a sha256 digest`, MAX_REASON) });
        continue;
      }
      if (covered.has(hex)) continue;
      const claims = claimedBy.get(hex);
      const words = claims === undefined ? '' : `; unverified bundle(s) naming it: ${claims.slice(0, 10).join(', ')}${claims.length > 10 ? ', ...' : ''}`;
      artifacts.push({ bundle: NO_BUNDLE, subjects: [{ name: `sha256:${hex}`, sha256: hex }], verified: false, reason: clip(`NO_PROVENANCE: no verified provenance names sha256:${hex}${words}`, MAX_REASON) });
    }
  }
  const verified = artifacts.filter((r) => r.verified).length;
  return { artifacts, verified, unverified: artifacts.length - verified };
}
