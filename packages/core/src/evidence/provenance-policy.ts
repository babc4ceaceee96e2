/**
 * What build provenance must show to count as verified: who may sign it (pinned keys, or keyless
 * signer identities under a Sigstore trusted root), which builders are trusted, and, optionally,
 * which source repository it must be built from.
 *
 * Signer identities are matched exactly, or by a prefix that ends at a whole segment. No regular
 * expressions and no wildcards: an unanchored pattern lets a fork's or a look-alike repository's
 * workflow pass for the original's.
 */
import type { KeyObject } from 'node:crypto';
import { GITHUB_ACTIONS_ISSUER, keylessTrustMaterial } from '../artifact/trust.js';
import { ConfigError, docUrl } from '../errors.js';

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const SLSA_PROVENANCE_V0_2 = 'https://slsa.dev/provenance/v0.2';

/** The builder id `actions/attest-build-provenance` (and npm provenance) write for GitHub-hosted runners. */
export const GITHUB_HOSTED_BUILDER = 'https://github.com/actions/runner/github-hosted';

/**
 * A keyless signer that is trusted. `subjectAlternativeName` is the certificate SAN, matched
 *
 * - exactly, e.g. `https://github.com/acme/payments/.github/workflows/release.yml@refs/heads/main`;
 * - or, when it ends with `/` or `@`, as a prefix that ends at a segment boundary:
 *   `https://github.com/acme/payments/.github/workflows/` trusts every workflow of acme/payments
 *   (but not `https://github.com/acme/payments-fork/...`, and not a SAN whose rest has `.` or `..`
 *   segments); `https://github.com/acme/payments/.github/workflows/release.yml@` trusts that
 *   workflow at any ref. A prefix must name at least a host and two path segments (owner, repo).
 *
 * The issuer (OIDC issuer in the certificate) is always matched exactly.
 *
 * The SAN names the workflow file that signed, which for a reusable workflow is the callee, and
 * any repository can call it. Set ProvenancePolicy.sourceRepository too: it is checked against
 * the certificate's source repository (the caller, set by Fulcio from the OIDC token).
 */
export interface SignerIdentity {
  subjectAlternativeName: string;
  issuer: string;
}

export type ProvenanceTrust =
  | { mode: 'key'; keys: readonly KeyObject[] }
  | {
      mode: 'keyless';
      /** One trusted signer, or several (any may sign). */
      identity: SignerIdentity | readonly SignerIdentity[];
      /** A Sigstore trusted root (trusted_root.json as JSON); default: the public-good root. */
      trustedRoot?: unknown;
      /**
       * Require a Rekor entry and a certificate SCT (default true). False accepts bundles
       * timestamped only by a timestamp authority, without transparency logs, as GitHub's own
       * Sigstore instance writes them for private repositories (pass GitHub's trusted root then).
       * A verified timestamp is required either way, and log entries that are present are checked.
       */
      transparencyLog?: boolean;
    };

export interface ProvenancePolicy {
  trust: ProvenanceTrust;
  /**
   * Trusted builder ids, matched exactly against `runDetails.builder.id` (SLSA v1) or
   * `builder.id` (v0.2), e.g. GITHUB_HOSTED_BUILDER or
   * `https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0`.
   */
  builderIds: readonly string[];
  /**
   * The repository the build must come from: `https://github.com/owner/repo` (a URL), or
   * `owner/repo` for github.com. Compared, case-insensitively and without `git+` / `.git`, with the
   * provenance's source repository and, keyless, with the certificate's source repository (Fulcio
   * OID 1.3.6.1.4.1.57264.1.12).
   */
  sourceRepository?: string;
  /** How far in the future a signing time may be and still be accepted. Default 300. */
  clockSkewSeconds?: number;
}

// Action inputs the policy usually comes from, named in errors so the user knows what to fix.
const INPUTS = {
  keys: 'provenance-public-keys',
  identity: 'provenance-certificate-identity',
  issuer: 'provenance-certificate-oidc-issuer',
  builders: 'provenance-builder-ids',
  source: 'provenance-source-repository',
} as const;

function policyError(input: string, message: string, expected: string, hint: string): ConfigError {
  return new ConfigError('INPUT_INVALID', message, { input, expected, hint, docUrl: docUrl('evidence', 'provenance') });
}

/** The identities of a keyless trust, as a list. */
export function signerIdentities(trust: ProvenanceTrust & { mode: 'keyless' }): readonly SignerIdentity[] {
  const id = trust.identity;
  return isIdentityList(id) ? id : [id];
}

function isIdentityList(id: SignerIdentity | readonly SignerIdentity[]): id is readonly SignerIdentity[] {
  return Array.isArray(id);
}

/** A SAN ending in `/` or `@` is a prefix (see SignerIdentity). */
export function isPrefixIdentity(san: string): boolean {
  return san.endsWith('/') || san.endsWith('@');
}

function checkPrefix(prefix: string): string | undefined {
  let url: URL;
  try {
    url = new URL(prefix);
  } catch {
    return 'a prefix identity must be a URL';
  }
  if (url.protocol !== 'https:') return 'a prefix identity must be an https URL';
  if (url.search !== '' || url.hash !== '') return 'a prefix identity must not have a query or fragment';
  // The raw path: URL() would resolve `..` away before it could be refused.
  const afterScheme = prefix.slice('https://'.length);
  const slash = afterScheme.indexOf('/');
  const segments = (slash < 0 ? '' : afterScheme.slice(slash)).split('/').filter((s) => s !== '');
  if (segments.length < 2) return 'a prefix identity must name at least an owner and a repository (https://host/owner/repo/...)';
  if (segments.some((s) => s === '.' || s === '..')) return 'a prefix identity must not have . or .. segments';
  return undefined;
}

/**
 * Does a certificate SAN match a trusted identity's SAN (exact, or prefix on a segment boundary)?
 * Plain string comparison: nothing from the certificate is interpreted as a pattern.
 */
export function sanMatches(san: string, want: string): boolean {
  if (!isPrefixIdentity(want)) return san === want;
  if (!san.startsWith(want) || san.length === want.length) return false;
  const rest = san.slice(want.length);
  // After a `/` prefix, the workflow path (up to `@ref`) must not climb out of the prefix.
  const path = want.endsWith('@') ? '' : (rest.split('@')[0] ?? '');
  return !path.split('/').some((s) => s === '.' || s === '..') && !rest.includes('\\');
}

/** Does a verified signer (SAN, issuer) match one of the trusted identities? */
export function signerMatches(san: string | undefined, issuer: string | undefined, identities: readonly SignerIdentity[]): boolean {
  if (san === undefined || issuer === undefined) return false;
  return identities.some((id) => id.issuer === issuer && sanMatches(san, id.subjectAlternativeName));
}

/**
 * A repository URI in the one form genops compares: no `git+` scheme prefix, no `.git` suffix, no
 * trailing `/`, lower case (GitHub and GitLab repository paths are case-insensitive).
 */
export function normalizeRepository(uri: string): string {
  let s = uri.trim();
  if (s.startsWith('git+')) s = s.slice(4);
  while (s.endsWith('/')) s = s.slice(0, -1);
  if (s.endsWith('.git')) s = s.slice(0, -4);
  return s.toLowerCase();
}

const OWNER_REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** The policy's source repository as a URL: `owner/repo` means github.com. */
export function expectedRepository(policy: ProvenancePolicy): string | undefined {
  const s = policy.sourceRepository?.trim();
  if (s === undefined || s === '') return undefined;
  return normalizeRepository(OWNER_REPO.test(s) ? `https://github.com/${s}` : s);
}

function isUrlWithHost(text: string): boolean {
  try {
    return new URL(text).host !== '';
  } catch {
    return false;
  }
}

/**
 * Refuses a policy that would trust too much or nothing: no builder ids, no keys, a keyless trust
 * without a signer identity, wildcards, or a prefix too short to name a repository.
 * Throws ConfigError INPUT_INVALID naming the action input to fix.
 */
export function checkProvenancePolicy(policy: ProvenancePolicy): void {
  const builders = policy.builderIds;
  if (!Array.isArray(builders) || builders.length === 0 || builders.some((b) => typeof b !== 'string' || b.trim() === '')) {
    throw policyError(INPUTS.builders, 'provenance needs the builder ids to trust', `one builder id per line, e.g. ${GITHUB_HOSTED_BUILDER}`, 'Set provenance-builder-ids to the builder.id your provenance names (exact match).');
  }
  const trust = policy.trust;
  if (trust.mode === 'key') {
    if (trust.keys.length === 0) {
      throw policyError(INPUTS.keys, 'provenance key trust has no public keys', 'one or more PEM public keys', 'Pass the public key(s) the provenance is signed with, or use keyless trust.');
    }
  } else {
    const identities = signerIdentities(trust);
    if (identities.length === 0) {
      throw policyError(INPUTS.identity, 'keyless provenance trust names no signer identity: any workflow anywhere could sign', 'a certificate identity (SAN), exact or a prefix ending in / or @', 'Set provenance-certificate-identity, e.g. https://github.com/OWNER/REPO/.github/workflows/');
    }
    for (const id of identities) {
      const san = typeof id.subjectAlternativeName === 'string' ? id.subjectAlternativeName : '';
      if (san.trim() === '' || san !== san.trim()) {
        throw policyError(INPUTS.identity, 'a provenance certificate identity is empty or has surrounding spaces', 'a certificate identity (SAN), exact or a prefix ending in / or @', 'Set provenance-certificate-identity to the signing workflow, e.g. https://github.com/OWNER/REPO/.github/workflows/release.yml@refs/heads/main');
      }
      if (san.includes('*')) {
        throw policyError(INPUTS.identity, `provenance certificate identity ${JSON.stringify(san)} has a wildcard`, 'an exact SAN, or a prefix ending in / or @ (no wildcards)', 'Write the prefix up to a / or @, e.g. https://github.com/OWNER/REPO/.github/workflows/');
      }
      if (isPrefixIdentity(san)) {
        const problem = checkPrefix(san);
        if (problem !== undefined) {
          throw policyError(INPUTS.identity, `provenance certificate identity ${JSON.stringify(san)}: ${problem}`, 'https://host/owner/repo/... ending in / or @', 'Name at least the owner and repository, e.g. https://github.com/OWNER/REPO/.github/workflows/');
        }
      }
      if (typeof id.issuer !== 'string' || id.issuer.trim() === '') {
        throw policyError(INPUTS.issuer, 'a provenance certificate identity has no OIDC issuer', `an issuer URL, e.g. ${GITHUB_ACTIONS_ISSUER}`, 'Set provenance-certificate-oidc-issuer (GitHub Actions: https://token.actions.githubusercontent.com).');
      }
    }
    if (trust.trustedRoot !== undefined) keylessTrustMaterial(trust.trustedRoot, 'provenance trusted root');
  }
  const source = policy.sourceRepository;
  if (source !== undefined && source.trim() !== '' && !OWNER_REPO.test(source.trim())) {
    if (!isUrlWithHost(normalizeRepository(source))) {
      throw policyError(INPUTS.source, `provenance source repository ${JSON.stringify(source)} is not a repository URL`, 'https://github.com/OWNER/REPO, or OWNER/REPO', 'Write the repository the build must come from as a URL.');
    }
  }
  const skew = policy.clockSkewSeconds;
  if (skew !== undefined && !(Number.isFinite(skew) && skew >= 0)) {
    throw policyError('clockSkewSeconds', 'provenance clock skew must be a non-negative number of seconds', 'a number >= 0', 'Leave it out for the default (300).');
  }
}
