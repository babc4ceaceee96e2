import { bundleFromJSON, type Bundle, type SerializedBundle } from '@sigstore/bundle';
import { toSignedEntity, Verifier, type Signer as SigstoreSigner } from '@sigstore/verify';
import { VerificationError, docUrl, type VerificationErrorCode } from '../errors.js';
import { formatSchemaProblems, validateAgainst } from '../schemas/index.js';
import { canonicalJson, parseDigest, sha256Hex } from './canonical.js';
import { IN_TOTO_PAYLOAD_TYPE, PREDICATE_SCHEMAS, STATEMENT_TYPE, type GenopsPredicate, type Statement } from './statement.js';
import { FulcioOids, keylessTrustMaterial, keyTrustMaterial, type IdentityPolicy, type KeyTrust, type SignerInfo, type TrustPolicy } from './trust.js';

/** Default upper bound on an artifact file: anything larger is refused before it is parsed. */
export const DEFAULT_MAX_ARTIFACT_BYTES = 16 * 1024 * 1024;
const DEFAULT_CLOCK_SKEW_SECONDS = 300;

export interface VerifyPolicy {
  trust: TrustPolicy;
  /** The predicate type the receiver expects (one, or any of several). */
  predicateType: string | readonly string[];
  /** What is being gated: the artifact must name this commit (and artifact digest) as a subject. */
  subject?: { gitCommit?: string; sha256?: string };
  /** The digest handed over in job outputs (`sha256:<hex>` or hex). */
  expectedDigest?: string;
  /** The verifier's clock. Injected: never read inside. */
  now: Date;
  maxBytes?: number;
  clockSkewSeconds?: number;
}

export interface VerifiedArtifact {
  /** Where it came from (a path or an artifact name), for messages. */
  source: string;
  statement: Statement<GenopsPredicate>;
  /** sha256 hex of the canonical statement (the signed payload). */
  digest: string;
  bundle: SerializedBundle;
  signer: SignerInfo;
}

function fail(code: VerificationErrorCode, source: string, message: string, extra: { expected?: string; actual?: string; hint: string; line?: number; column?: number; cause?: unknown }): never {
  throw new VerificationError(code, `${source}: ${message}`, {
    file: source,
    docUrl: docUrl('artifact-contract', code.toLowerCase().replaceAll('_', '-')),
    ...extra,
  });
}

function lineColumnAt(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

function parseJson(bytes: Buffer, source: string): unknown {
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg)?.[1];
    const where = pos === undefined ? {} : lineColumnAt(text, Number(pos));
    return fail('ARTIFACT_MALFORMED', source, `is not valid JSON (${msg})`, {
      expected: 'a Sigstore bundle JSON document as written by a genops action',
      hint: 'The file is damaged or is not a genops artifact; hand over the artifact-path output of the upstream step unchanged.',
      ...where,
      cause: e,
    });
  }
}

function toBundle(json: unknown, source: string): Bundle {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    fail('BUNDLE_INVALID', source, 'is JSON but not a Sigstore bundle object', { expected: 'a JSON object with mediaType, verificationMaterial and dsseEnvelope', hint: 'Hand over the bundle file written by the upstream genops step.' });
  }
  const obj = json as Record<string, unknown>;
  const env = obj.dsseEnvelope as { signatures?: unknown[] } | undefined;
  if (obj.mediaType !== undefined && env !== undefined && (!Array.isArray(env.signatures) || env.signatures.length === 0)) {
    fail('UNSIGNED', source, 'carries no signature', { expected: 'a DSSE envelope with exactly one signature', hint: 'The artifact was not signed; re-run the upstream step with signing configured.' });
  }
  try {
    return bundleFromJSON(json);
  } catch (e) {
    return fail('BUNDLE_INVALID', source, `is not a valid Sigstore bundle (${e instanceof Error ? e.message : String(e)})`, {
      expected: 'a Sigstore bundle v0.3 with a DSSE envelope',
      hint: 'Hand over the bundle file written by the upstream genops step, unchanged.',
      cause: e,
    });
  }
}

function sigstoreFailure(e: unknown, source: string, trust: SignatureTrust, unknownHints: string[]): never {
  const err = e as { name?: string; code?: string; message?: string; cause?: { message?: unknown } };
  // sigstore-js wraps the specific reason (e.g. "certificate is not valid or expired at the
  // specified date") in a generic one ("Failed to verify certificate chain"): say both.
  const cause = typeof err.cause?.message === 'string' ? err.cause.message : undefined;
  const detail = `${err.message ?? String(e)}${cause === undefined ? '' : `: ${cause}`}`;
  if (unknownHints.length > 0) {
    fail('KEY_UNTRUSTED', source, `is signed with key ${unknownHints[0] ?? ''}, which is not one of the ${trust.mode === 'key' ? trust.keys.length : 0} pinned public key(s)`, {
      expected: 'a signature by a pinned key',
      hint: 'Pass the public key of the signing key (genops verify --key PUB.pem; action input public-keys), or re-sign with the right key.',
      cause: e,
    });
  }
  if (err.name === 'PolicyError') {
    fail('IDENTITY_MISMATCH', source, `was signed by an identity the policy does not trust (${detail})`, {
      hint: 'Check certificate-identity and certificate-oidc-issuer: they must name the workflow that signs, exactly.',
      cause: e,
    });
  }
  switch (err.code) {
    case 'SIGNATURE_ERROR':
      fail('SIGNATURE_INVALID', source, 'has a signature that does not match its payload: it was altered after signing, or signed with another key', {
        hint: 'Do not edit artifacts after signing. Re-run the upstream step and hand over its output unchanged.',
        cause: e,
      });
    case 'TLOG_ERROR':
    case 'TLOG_INCLUSION_PROOF_ERROR':
    case 'TLOG_INCLUSION_PROMISE_ERROR':
    case 'TLOG_MISSING_INCLUSION_ERROR':
    case 'TLOG_BODY_ERROR':
      fail('TLOG_INVALID', source, `has a transparency-log entry that does not verify (${detail})`, {
        hint: 'The Rekor entry does not match this bundle or the trusted root; re-run the upstream step.',
        cause: e,
      });
    case 'TIMESTAMP_ERROR':
      fail('TLOG_INVALID', source, `has no signed timestamp the trusted root vouches for (${detail})`, {
        hint: 'The Rekor entry does not match this bundle or the trusted root; re-run the upstream step.',
        cause: e,
      });
    case 'CERTIFICATE_ERROR':
    case 'PUBLIC_KEY_ERROR':
      fail('KEY_UNTRUSTED', source, `is signed by a key or certificate the trusted root does not vouch for (${detail})`, {
        hint: trust.mode === 'key' ? 'Pass the right pinned public key.' : 'Check the trusted root: it must contain the Fulcio CA that issued the certificate.',
        cause: e,
      });
    default:
      fail('SIGNATURE_INVALID', source, `failed signature verification (${detail})`, {
        hint: 'Re-run the upstream step and hand over its output unchanged.',
        cause: e,
      });
  }
}

function decodeDerString(value: Buffer): string {
  // Fulcio v2 extensions hold a DER UTF8String (tag 0x0c); v1 ones hold raw bytes.
  if (value.length >= 2 && value[0] === 0x0c) {
    const first = value[1] ?? 0;
    if (first < 0x80) return value.subarray(2, 2 + first).toString('utf8');
    const n = first & 0x7f;
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (value[2 + i] ?? 0);
    return value.subarray(2 + n, 2 + n + len).toString('utf8');
  }
  return value.toString('utf8');
}

function oidValue(signer: SigstoreSigner, oid: string): string | undefined {
  const want = oid.split('.').map(Number);
  const found = signer.identity?.oids?.find((o) => {
    const id = o.oid?.id;
    return id !== undefined && id.length === want.length && id.every((v, i) => v === want[i]);
  });
  return found === undefined ? undefined : decodeDerString(Buffer.from(found.value));
}

/** The Fulcio certificate extensions a verifier reads, by name (see FulcioOids). */
export type CertificateExtensions = Partial<Record<keyof typeof FulcioOids, string>>;

function certificateExtensions(signer: SigstoreSigner): CertificateExtensions {
  const out: CertificateExtensions = {};
  for (const name of Object.keys(FulcioOids) as (keyof typeof FulcioOids)[]) {
    const value = oidValue(signer, FulcioOids[name]);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Who may sign is not part of it: callers check the returned signer against their own policy. */
export type SignatureTrust =
  | KeyTrust
  | {
      mode: 'keyless';
      trustedRoot: unknown;
      /**
       * Transparency-log entries and certificate SCTs required (default 1 each). 0 accepts bundles
       * timestamped only by a timestamp authority, with no Rekor entry and no CT log (GitHub's
       * Sigstore instance for private repositories); a verified timestamp is required either way,
       * and log entries that are present are still checked.
       */
      tlogThreshold?: number;
      ctlogThreshold?: number;
    };

export interface VerifiedSignature {
  signer: SignerInfo;
  /** Keyless: every Fulcio extension the certificate carries (empty in key mode). */
  extensions: CertificateExtensions;
}

/**
 * Checks a bundle's signature against trust material only: the signature over the DSSE payload,
 * the certificate chain to a trusted Fulcio CA at the signing time (transparency-log or TSA
 * timestamp, never the verifier's clock: Fulcio certificates live minutes), the SCTs and the log
 * entries; or, in key mode, a pinned key by its hint. Throws a VerificationError with its own
 * code. Whether the signer is one the caller trusts is the caller's check (checkIdentity for
 * genops artifacts; provenance has its own signer policy).
 */
export function verifyBundleSignature(bundle: Bundle, source: string, trust: SignatureTrust): VerifiedSignature {
  const material = bundle.verificationMaterial.content.$case;
  if (trust.mode === 'key' && material !== 'publicKey') {
    fail('KEY_UNTRUSTED', source, 'is signed keyless (certificate), but this verifier trusts only pinned keys', { hint: 'Verify with certificate-identity and certificate-oidc-issuer, or sign in key mode.' });
  }
  if (trust.mode === 'keyless' && material === 'publicKey') {
    fail('KEY_UNTRUSTED', source, 'is signed with a bare key, but this verifier trusts only keyless (Fulcio) signatures', { hint: 'Pass the public key (key mode), or sign keyless.' });
  }
  if (trust.mode === 'key') return verifyWithPinnedKeys(bundle, source, trust);
  // Outside the try: an unusable trusted root is the configuration's fault (ConfigError), not the bundle's.
  const trustMaterial = keylessTrustMaterial(trust.trustedRoot);
  try {
    const verifier = new Verifier(trustMaterial, { tlogThreshold: trust.tlogThreshold ?? 1, ctlogThreshold: trust.ctlogThreshold ?? 1, timestampThreshold: 1 });
    const s = verifier.verify(toSignedEntity(bundle));
    const extensions = certificateExtensions(s);
    const san = s.identity?.subjectAlternativeName;
    const issuer = s.identity?.extensions?.issuer;
    const signer: SignerInfo = { mode: 'keyless' };
    if (san !== undefined) signer.identity = san;
    if (issuer !== undefined) signer.issuer = issuer;
    if (extensions.sourceRepositoryUri !== undefined) signer.repositoryUri = extensions.sourceRepositoryUri;
    if (extensions.runInvocationUri !== undefined) signer.runInvocationUri = extensions.runInvocationUri;
    const entry = bundle.verificationMaterial.tlogEntries[0];
    if (entry !== undefined) {
      signer.tlogIndex = entry.logIndex;
      signer.integratedTime = new Date(Number(entry.integratedTime) * 1000).toISOString();
    }
    return { signer, extensions };
  } catch (e) {
    if (e instanceof VerificationError) throw e;
    return sigstoreFailure(e, source, trust, []);
  }
}

function verifyWithPinnedKeys(bundle: Bundle, source: string, trust: KeyTrust): VerifiedSignature {
  const unknownHints: string[] = [];
  try {
    const km = keyTrustMaterial(trust.keys);
    const verifier = new Verifier(km.material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
    try {
      verifier.verify(toSignedEntity(bundle));
    } finally {
      unknownHints.push(...km.unknownHints);
    }
  } catch (e) {
    if (e instanceof VerificationError) throw e;
    return sigstoreFailure(e, source, trust, unknownHints);
  }
  const hint = bundle.verificationMaterial.content.$case === 'publicKey' ? bundle.verificationMaterial.content.publicKey.hint : undefined;
  return { signer: { mode: 'key', ...(hint === undefined ? {} : { keyId: hint }) }, extensions: {} };
}

/**
 * The first way a signer differs from the identity policy (exact matches only: no patterns, no
 * prefixes), or undefined when it matches. Artifacts and ledger checkpoints both check with it.
 */
export function identityMismatch(signer: SignerInfo, want: IdentityPolicy): { what: string; expected: string; actual: string | undefined } | undefined {
  const checks: [string, string | undefined, string | undefined][] = [
    ['certificate identity (SAN)', want.subjectAlternativeName, signer.identity],
    ['OIDC issuer', want.issuer, signer.issuer],
    ['source repository', want.repositoryUri, signer.repositoryUri],
    ['workflow run', want.runInvocationUri, signer.runInvocationUri],
  ];
  for (const [what, expected, actual] of checks) if (expected !== undefined && expected !== actual) return { what, expected, actual };
  return undefined;
}

/** A genops artifact's signer must match the identity policy exactly. */
function checkIdentity(signer: SignerInfo, want: IdentityPolicy, source: string): void {
  const m = identityMismatch(signer, want);
  if (m !== undefined) {
    fail('IDENTITY_MISMATCH', source, `was signed by a different ${m.what}`, {
      expected: m.expected,
      actual: m.actual ?? '(none in the certificate)',
      hint: 'Only artifacts signed by the expected workflow are trusted. Check the certificate-identity / issuer inputs, or where this artifact came from.',
    });
  }
}

/**
 * Verifies a signed genops artifact and returns its statement. Checks, in
 * order: size, JSON, bundle shape, payload type, signature and signer
 * identity, handed-over digest, canonical payload, statement schema,
 * predicate type, subject, validity window, predicate schema. Any failure
 * throws a VerificationError with its own code; nothing is returned unverified.
 */
export function verifyArtifactBytes(bytes: Buffer, source: string, policy: VerifyPolicy): VerifiedArtifact {
  const maxBytes = policy.maxBytes ?? DEFAULT_MAX_ARTIFACT_BYTES;
  if (bytes.length === 0) fail('ARTIFACT_EMPTY', source, 'is empty', { expected: 'a Sigstore bundle JSON document', hint: 'The upstream step wrote nothing, or the wrong file was handed over.' });
  if (bytes.length > maxBytes) {
    fail('ARTIFACT_TOO_LARGE', source, `is ${bytes.length} bytes, over the ${maxBytes}-byte limit`, { expected: `at most ${maxBytes} bytes`, hint: 'genops artifacts are small; this is not one. Raise max-artifact-bytes only if you know why it is large.' });
  }
  const json = parseJson(bytes, source);
  const bundle = toBundle(json, source);
  if (bundle.content.$case !== 'dsseEnvelope') {
    fail('BUNDLE_INVALID', source, 'holds a message signature, not a DSSE envelope', { expected: 'a DSSE-envelope bundle', hint: 'genops artifacts are DSSE-signed in-toto statements.' });
  }
  // Exactly one signature: toBundle reports none as UNSIGNED, and bundleFromJSON refuses more.
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    fail('PAYLOAD_TYPE_MISMATCH', source, `has payload type ${JSON.stringify(envelope.payloadType)}`, { expected: IN_TOTO_PAYLOAD_TYPE, actual: envelope.payloadType, hint: 'Only in-toto statements are genops artifacts.' });
  }

  const { signer } = verifyBundleSignature(bundle, source, policy.trust);
  if (policy.trust.mode === 'keyless') checkIdentity(signer, policy.trust.identity, source);

  const payload = envelope.payload;
  const digest = sha256Hex(payload);
  if (policy.expectedDigest !== undefined) {
    const want = parseDigest(policy.expectedDigest);
    if (want === undefined) {
      fail('DIGEST_MISMATCH', source, `the expected digest ${JSON.stringify(policy.expectedDigest)} is not a sha256 digest`, { expected: 'sha256:<64 hex chars> (the artifact-digest output of the upstream step)', hint: 'Pass the upstream step\'s artifact-digest output unchanged.' });
    }
    if (want !== digest) {
      fail('DIGEST_MISMATCH', source, 'is not the artifact the upstream job handed over', {
        expected: `sha256:${want}`,
        actual: `sha256:${digest}`,
        hint: 'A different (perhaps older or another run\'s) artifact was supplied. Pass the artifact and digest from the same upstream job.',
      });
    }
  }

  const payloadText = payload.toString('utf8');
  let statementJson: unknown;
  try {
    statementJson = JSON.parse(payloadText);
  } catch (e) {
    fail('STATEMENT_INVALID', source, 'has a signed payload that is not JSON', { hint: 'The signer produced a broken statement; this is a bug in the producing tool.', cause: e });
  }
  if (canonicalJson(statementJson) !== payloadText) {
    fail('PAYLOAD_NOT_CANONICAL', source, 'has a payload that is not RFC 8785 canonical JSON', { expected: 'the canonical form genops signs, so that one statement has one digest', hint: 'Sign statements with genops (or canonicalize with RFC 8785 before signing).' });
  }
  const statementProblems = validateAgainst('statement', statementJson);
  if (statementProblems.length > 0) {
    fail('STATEMENT_INVALID', source, `is not an in-toto Statement v1: ${formatSchemaProblems(statementProblems)}`, { expected: `_type ${STATEMENT_TYPE} with subject, predicateType and predicate`, hint: 'Only in-toto v1 statements are genops artifacts.' });
  }
  const statement = statementJson as Statement<GenopsPredicate>;

  const wanted = typeof policy.predicateType === 'string' ? [policy.predicateType] : [...policy.predicateType];
  if (!wanted.includes(statement.predicateType)) {
    fail('PREDICATE_TYPE_MISMATCH', source, `is a ${statement.predicateType} artifact`, { expected: wanted.join(' or '), actual: statement.predicateType, hint: 'The wrong artifact was handed to this step: check which upstream output feeds it.' });
  }

  if (policy.subject?.gitCommit !== undefined) {
    const want = policy.subject.gitCommit.toLowerCase();
    const commits = statement.subject.map((s) => s.digest.gitCommit).filter((c): c is string => c !== undefined);
    if (!commits.includes(want)) {
      fail('SUBJECT_MISMATCH', source, 'was made for a different commit', { expected: want, actual: commits.join(', ') || '(no commit subject)', hint: 'A decision for one commit never passes for another: re-run the upstream steps on this commit.' });
    }
  }
  if (policy.subject?.sha256 !== undefined) {
    const want = policy.subject.sha256.toLowerCase();
    const digests = statement.subject.map((s) => s.digest.sha256).filter((c): c is string => c !== undefined);
    if (!digests.includes(want)) {
      fail('SUBJECT_MISMATCH', source, 'does not name the artifact being gated', { expected: `sha256:${want}`, actual: digests.map((d) => `sha256:${d}`).join(', ') || '(no artifact subject)', hint: 'Re-run the upstream steps for this build output.' });
    }
  }

  const schema = PREDICATE_SCHEMAS[statement.predicateType];
  if (schema === undefined) {
    fail('SCHEMA_INVALID', source, `has predicate type ${statement.predicateType}, for which this genops has no schema`, { hint: 'Upgrade genops on the receiving side to the producer\'s version.' });
  }
  const predicateProblems = validateAgainst(schema, statement.predicate);
  if (predicateProblems.length > 0) {
    fail('SCHEMA_INVALID', source, `has a predicate that fails its schema: ${formatSchemaProblems(predicateProblems.map((p) => ({ ...p, pointer: `/predicate${p.pointer}` })))}`, { hint: 'Producer and receiver disagree on the artifact format: use the same genops version in both jobs.' });
  }

  const header = statement.predicate.header;
  const created = Date.parse(header.createdAt);
  const expires = Date.parse(header.expiresAt);
  const now = policy.now.getTime();
  const skew = (policy.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000;
  if (!(expires > created)) {
    fail('STATEMENT_INVALID', source, 'expires before it was created', { actual: `${header.createdAt} .. ${header.expiresAt}`, hint: 'This is a bug in the producing tool.' });
  }
  if (now > expires) {
    fail('EXPIRED', source, `expired at ${header.expiresAt}`, { expected: `valid at ${policy.now.toISOString()}`, actual: `valid ${header.createdAt} .. ${header.expiresAt}`, hint: 'Re-run the upstream job to produce a fresh artifact (or raise its ttl if runs legitimately take longer).' });
  }
  if (created > now + skew) {
    fail('NOT_YET_VALID', source, `claims to be created at ${header.createdAt}, in the future`, { expected: `created before ${policy.now.toISOString()}`, hint: 'Check the clocks of the producing and receiving runners.' });
  }

  return { source, statement, digest, bundle: json as SerializedBundle, signer };
}
