import { describe, expect, it } from '@jest/globals';
import { generateSigningKeyPair, loadPublicKey } from '../../src/artifact/keys.js';
import { GITHUB_ACTIONS_ISSUER } from '../../src/artifact/trust.js';
import { ConfigError } from '../../src/errors.js';
import {
  checkProvenancePolicy,
  expectedRepository,
  GITHUB_HOSTED_BUILDER,
  normalizeRepository,
  sanMatches,
  signerMatches,
  type ProvenancePolicy,
  type SignerIdentity,
} from '../../src/evidence/provenance-policy.js';

const WORKFLOW = 'https://github.com/acme/payments/.github/workflows/release.yml@refs/tags/v1.4.0';

describe('sanMatches: exact, or a prefix ending at a / or @ boundary', () => {
  const cases: [string, string, boolean][] = [
    [WORKFLOW, WORKFLOW, true],
    [WORKFLOW, 'https://github.com/acme/payments/.github/workflows/release.yml', false],
    [WORKFLOW, 'https://github.com/acme/payments/.github/workflows/', true],
    [WORKFLOW, 'https://github.com/acme/payments/', true],
    [WORKFLOW, 'https://github.com/acme/payments/.github/workflows/release.yml@', true],
    [WORKFLOW, 'https://github.com/acme/payments/.github/workflows/deploy.yml@', false],
    ['https://github.com/acme/payments-fork/.github/workflows/release.yml@refs/heads/main', 'https://github.com/acme/payments/', false],
    ['https://github.com/acme/payments/../evil/.github/workflows/x.yml@refs/heads/main', 'https://github.com/acme/payments/', false],
    ['https://github.com/acme/payments/./.github/workflows/x.yml@refs/heads/main', 'https://github.com/acme/payments/', false],
    ['https://github.com/acme/payments/.github\\workflows\\x.yml@refs/heads/main', 'https://github.com/acme/payments/', false],
    // The prefix alone is not a signer.
    ['https://github.com/acme/payments/', 'https://github.com/acme/payments/', false],
    // `..` inside the ref (after @) is the ref's business, not a path escape.
    ['https://github.com/acme/payments/.github/workflows/x.yml@refs/heads/a/../b', 'https://github.com/acme/payments/', true],
    // Case matters: SANs are compared as written.
    ['https://github.com/ACME/payments/.github/workflows/x.yml@refs/heads/main', 'https://github.com/acme/payments/', false],
    // A pattern in the certificate is just text.
    ['https://github.com/acme/payments/.github/workflows/*', 'https://github.com/acme/payments/.github/workflows/*', true],
    ['https://github.com/acme/payments/.github/workflows/x.yml', 'https://github.com/acme/payments/.github/workflows/*', false],
  ];
  for (const [san, want, expected] of cases) {
    it(`${want} ${expected ? 'matches' : 'does not match'} ${san}`, () => {
      expect(sanMatches(san, want)).toBe(expected);
    });
  }

  it('signerMatches needs the issuer to match exactly too', () => {
    const ids: SignerIdentity[] = [{ subjectAlternativeName: 'https://github.com/acme/payments/', issuer: GITHUB_ACTIONS_ISSUER }];
    expect(signerMatches(WORKFLOW, GITHUB_ACTIONS_ISSUER, ids)).toBe(true);
    expect(signerMatches(WORKFLOW, `${GITHUB_ACTIONS_ISSUER}/acme`, ids)).toBe(false);
    expect(signerMatches(WORKFLOW, undefined, ids)).toBe(false);
    expect(signerMatches(undefined, GITHUB_ACTIONS_ISSUER, ids)).toBe(false);
  });
});

describe('repositories', () => {
  it('normalizes git+ prefixes, .git suffixes, trailing slashes and case', () => {
    expect(normalizeRepository('git+https://github.com/Acme/Payments.git/')).toBe('https://github.com/acme/payments');
    expect(normalizeRepository('https://github.com/acme/payments')).toBe('https://github.com/acme/payments');
  });
  it('reads owner/repo as github.com', () => {
    const p = (sourceRepository: string): ProvenancePolicy => ({ trust: { mode: 'key', keys: [] }, builderIds: [GITHUB_HOSTED_BUILDER], sourceRepository });
    expect(expectedRepository(p('acme/payments'))).toBe('https://github.com/acme/payments');
    expect(expectedRepository(p('https://ghe.example.com/acme/payments'))).toBe('https://ghe.example.com/acme/payments');
    expect(expectedRepository(p('  '))).toBeUndefined();
  });
});

describe('checkProvenancePolicy', () => {
  const pub = loadPublicKey(generateSigningKeyPair().publicKeyPem, 'test');
  const keyless = (identity: SignerIdentity | SignerIdentity[], over: Partial<ProvenancePolicy> = {}): ProvenancePolicy => ({ trust: { mode: 'keyless', identity }, builderIds: [GITHUB_HOSTED_BUILDER], ...over });
  const id = (subjectAlternativeName: string, issuer = GITHUB_ACTIONS_ISSUER): SignerIdentity => ({ subjectAlternativeName, issuer });
  function inputOf(policy: ProvenancePolicy): string | undefined {
    try {
      checkProvenancePolicy(policy);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).code).toBe('INPUT_INVALID');
      return (e as ConfigError).details.input;
    }
    return undefined;
  }

  it('accepts sound policies', () => {
    expect(inputOf(keyless(id(WORKFLOW)))).toBeUndefined();
    expect(inputOf(keyless([id('https://github.com/acme/payments/.github/workflows/'), id('https://gitlab.com/acme/payments//')]))).toBeUndefined();
    expect(inputOf({ trust: { mode: 'key', keys: [pub] }, builderIds: [GITHUB_HOSTED_BUILDER], sourceRepository: 'acme/payments' })).toBeUndefined();
  });

  it('names the input to fix for each problem', () => {
    expect(inputOf(keyless(id(WORKFLOW), { builderIds: [] }))).toBe('provenance-builder-ids');
    expect(inputOf(keyless(id(WORKFLOW), { builderIds: [' '] }))).toBe('provenance-builder-ids');
    expect(inputOf({ trust: { mode: 'key', keys: [] }, builderIds: [GITHUB_HOSTED_BUILDER] })).toBe('provenance-public-keys');
    expect(inputOf(keyless([]))).toBe('provenance-certificate-identity');
    expect(inputOf(keyless(id('')))).toBe('provenance-certificate-identity');
    expect(inputOf(keyless(id(` ${WORKFLOW}`)))).toBe('provenance-certificate-identity');
    expect(inputOf(keyless(id('https://github.com/acme/*/.github/workflows/release.yml@refs/heads/main')))).toBe('provenance-certificate-identity');
    expect(inputOf(keyless(id(WORKFLOW, '')))).toBe('provenance-certificate-oidc-issuer');
    expect(inputOf(keyless(id(WORKFLOW), { sourceRepository: 'not a url' }))).toBe('provenance-source-repository');
    expect(inputOf(keyless(id(WORKFLOW), { clockSkewSeconds: -1 }))).toBe('clockSkewSeconds');
  });

  it('refuses prefixes that would trust too much', () => {
    for (const prefix of ['https://github.com/', 'https://github.com/acme/', 'http://github.com/acme/payments/', 'github.com/acme/payments/', 'https://github.com/acme/payments/../', 'https://github.com/acme/payments/?x=/']) {
      expect(inputOf(keyless(id(prefix)))).toBe('provenance-certificate-identity');
    }
  });

  it('refuses an unusable trusted root as a configuration error (FILE_INVALID), before any bundle is read', () => {
    let caught: unknown;
    try {
      checkProvenancePolicy({ trust: { mode: 'keyless', identity: id(WORKFLOW), trustedRoot: { certificateAuthorities: [{ certChain: { certificates: [{ rawBytes: 'AAAA' }] } }] } }, builderIds: [GITHUB_HOSTED_BUILDER] });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe('FILE_INVALID');
    expect((caught as ConfigError).message).toBe('provenance trusted root is not a usable Sigstore trusted root');
  });
});
