/**
 * The two kinds of failure genops reports (see docs/errors.md):
 * - ConfigError / VerificationError: the user's to fix. Say which input, file and line,
 *   what was expected and what to do.
 * - InternalError: ours. Say so, with enough context to file a bug.
 * Every error carries a stable `code` from a closed union so tests and callers match on
 * the code, never on message text.
 */

export type VerificationErrorCode =
  | 'ARTIFACT_NOT_FOUND'
  | 'ARTIFACT_EMPTY'
  | 'ARTIFACT_TOO_LARGE'
  | 'ARTIFACT_MALFORMED'
  | 'BUNDLE_INVALID'
  | 'UNSIGNED'
  | 'SIGNATURE_INVALID'
  | 'KEY_UNTRUSTED'
  | 'IDENTITY_MISMATCH'
  | 'TLOG_INVALID'
  | 'PAYLOAD_TYPE_MISMATCH'
  | 'PAYLOAD_NOT_CANONICAL'
  | 'STATEMENT_INVALID'
  | 'PREDICATE_TYPE_MISMATCH'
  | 'SUBJECT_MISMATCH'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'DIGEST_MISMATCH'
  | 'SCHEMA_INVALID'
  | 'REPLAY_MISMATCH';

export type ConfigErrorCode =
  | 'INPUT_MISSING'
  | 'INPUT_INVALID'
  | 'FILE_NOT_FOUND'
  | 'FILE_INVALID'
  | 'KEY_INVALID'
  | 'PERMISSION_MISSING'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'API_UNAVAILABLE'
  | 'SIGNING_UNAVAILABLE'
  | 'CONTEXT_UNSUPPORTED';

export type InternalErrorCode = 'INTERNAL';

/**
 * The gate worked and said no: a policy denied the change, or a policy test case failed; or a
 * canary rollout was rolled back, or paused for a human (inconclusive).
 */
export type BlockedErrorCode = 'POLICY_DENIED' | 'POLICY_TEST_FAILED' | 'CANARY_ROLLED_BACK' | 'CANARY_INCONCLUSIVE';

export type ErrorCode = VerificationErrorCode | ConfigErrorCode | InternalErrorCode | BlockedErrorCode;

export interface ErrorDetails {
  /** The action input or CLI option the problem came from, e.g. `artifact-path`. */
  input?: string;
  file?: string;
  line?: number;
  column?: number;
  /** What was expected, in words a user can act on. */
  expected?: string;
  /** What was found instead (already safe to print: never a secret). */
  actual?: string;
  /** What to do about it. */
  hint?: string;
  docUrl?: string;
  cause?: unknown;
}

export abstract class GenopsError extends Error {
  abstract readonly kind: 'config' | 'verification' | 'blocked' | 'internal';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.details = details;
  }

  /** A multi-line, human-readable report: message, where, expected, what to do. */
  describe(): string {
    const d = this.details;
    const lines = [`${this.code}: ${this.message}`];
    const where = d.file === undefined ? undefined : `${d.file}${d.line === undefined ? '' : `:${d.line}${d.column === undefined ? '' : `:${d.column}`}`}`;
    if (d.input !== undefined) lines.push(`  input:    ${d.input}`);
    if (where !== undefined) lines.push(`  file:     ${where}`);
    if (d.expected !== undefined) lines.push(`  expected: ${d.expected}`);
    if (d.actual !== undefined) lines.push(`  found:    ${d.actual}`);
    if (d.hint !== undefined) lines.push(`  fix:      ${d.hint}`);
    if (d.docUrl !== undefined) lines.push(`  docs:     ${d.docUrl}`);
    return lines.join('\n');
  }
}

/** Bad configuration or input: the user's to fix. */
export class ConfigError extends GenopsError {
  readonly kind = 'config' as const;
  declare readonly code: ConfigErrorCode;
  constructor(code: ConfigErrorCode, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
    this.name = 'ConfigError';
  }
}

/** An artifact that must not be trusted. The gate fails closed on every one. */
export class VerificationError extends GenopsError {
  readonly kind = 'verification' as const;
  declare readonly code: VerificationErrorCode;
  constructor(code: VerificationErrorCode, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
    this.name = 'VerificationError';
  }
}

/**
 * Not a failure of genops or of an artifact: the policies decided against the change (or a policy
 * test's expectation was not met). Exit 1 like a rejected artifact; reported as a decision.
 */
export class BlockedError extends GenopsError {
  readonly kind = 'blocked' as const;
  declare readonly code: BlockedErrorCode;
  constructor(code: BlockedErrorCode, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
    this.name = 'BlockedError';
  }
}

/** A bug in genops. */
export class InternalError extends GenopsError {
  readonly kind = 'internal' as const;
  declare readonly code: InternalErrorCode;
  constructor(message: string, details: ErrorDetails = {}) {
    super('INTERNAL', message, {
      hint: 'This is a bug in genops. Please file an issue with this message and the step log.',
      ...details,
    });
    this.name = 'InternalError';
  }
}

export function isGenopsError(e: unknown): e is GenopsError {
  return e instanceof GenopsError;
}

/** Wrap anything thrown into a GenopsError: unknown errors are ours (internal). */
export function toGenopsError(e: unknown): GenopsError {
  if (isGenopsError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new InternalError(`unexpected error: ${message}`, { cause: e });
}

/** Docs live in the genops repository's docs/ folder; links are repository-relative. */
export const DOCS_BASE = 'docs';
export function docUrl(page: string, anchor?: string): string {
  return `${DOCS_BASE}/${page}.md${anchor === undefined ? '' : `#${anchor}`}`;
}
