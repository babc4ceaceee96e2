/**
 * Real Sigstore bundles (fixtures/evidence/provenance, see its README), verified offline against
 * the public-good trusted root genops ships; file-shape errors; summarizeProvenance.
 */
import { describe, expect, it } from '@jest/globals';
import { GITHUB_ACTIONS_ISSUER } from '../../src/artifact/trust.js';
import {
  GITHUB_HOSTED_BUILDER,
  NO_BUNDLE,
  summarizeProvenance,
  verifyProvenanceBundles,
  verifyProvenanceFile,
  type ProvenancePolicy,
  type SignerIdentity,
} from '../../src/evidence/provenance.js';
import type { ProvenanceRecord } from '../../src/evidence/model.js';
import { sourceFile } from './helpers.js';
import { fixture, fixtureJson, GENERATOR_BUILDER, rejectsWith } from './provenance-helpers.js';

const NOW = new Date('2026-03-02T10:00:00Z');
const NPM = 'npm-sigstore-2.1.0.sigstore.json';
const SIGSTORE_JS_RELEASE = 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main';
const REUSABLE_ATTEST = 'https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d';

function keyless(identity: SignerIdentity | SignerIdentity[], over: Partial<ProvenancePolicy> = {}): ProvenancePolicy {
  return { trust: { mode: 'keyless', identity }, builderIds: [GITHUB_HOSTED_BUILDER], ...over };
}
const sigstoreJs = (over: Partial<ProvenancePolicy> = {}) => keyless({ subjectAlternativeName: SIGSTORE_JS_RELEASE, issuer: GITHUB_ACTIONS_ISSUER }, over);

describe('real bundles against the public-good trusted root', () => {
  it('verifies npm provenance (bundle v0.3) and extracts every field', async () => {
    const parsed = await verifyProvenanceFile(fixture(NPM), sigstoreJs(), NOW);
    expect(parsed.format).toBe('sigstore-bundle@0.3+slsa-provenance@1');
    expect(parsed.parser.name).toBe('genops/provenance');
    expect(parsed.value).toEqual({
      bundle: `fixtures/evidence/provenance/${NPM}`,
      // npm names the package by purl and digests it with sha512 only: no sha256 is invented.
      subjects: [{ name: 'pkg:npm/sigstore@2.1.0' }],
      predicateType: 'https://slsa.dev/provenance/v1',
      builder: GITHUB_HOSTED_BUILDER,
      buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
      sourceRepository: 'https://github.com/sigstore/sigstore-js',
      sourceRef: 'refs/heads/main',
      signer: `${SIGSTORE_JS_RELEASE} (issuer ${GITHUB_ACTIONS_ISSUER})`,
      verified: true,
    });
    expect(parsed.warnings).toEqual(['subject pkg:npm/sigstore@2.1.0 has no sha256 digest (sha512): it cannot cover an expected sha256 subject']);
  });

  it('verifies the same attestation as a bundle v0.1 (x509CertificateChain, inclusion promise)', async () => {
    const parsed = await verifyProvenanceFile(fixture('npm-sigstore-2.1.0.bundle-v0.1.json'), sigstoreJs(), NOW);
    expect(parsed.format).toBe('sigstore-bundle@0.1+slsa-provenance@1');
    expect(parsed.value.verified).toBe(true);
    expect(parsed.value.sourceRepository).toBe('https://github.com/sigstore/sigstore-js');
  });

  it('checks the certificate at the signing time, not now: a 10-minute Fulcio certificate from 2023 still verifies in 2026', async () => {
    // The certificate was valid 2023-08-29T15:40:23Z .. 15:50:23Z; the Rekor entry is at 15:40:23Z.
    expect((await verifyProvenanceFile(fixture(NPM), sigstoreJs(), new Date('2031-01-01T00:00:00Z'))).value.verified).toBe(true);
  });

  it('refuses a signing time after the verifier clock (NOT_YET_VALID), within the skew it accepts', async () => {
    const early = await verifyProvenanceFile(fixture(NPM), sigstoreJs(), new Date('2023-08-29T15:00:00Z'));
    expect(early.value.verified).toBe(false);
    expect(early.value.reason).toBe("NOT_YET_VALID: signed at 2023-08-29T15:40:23.000Z, after the verifier's time 2023-08-29T15:00:00.000Z");
    // Signed 2 min 23 s after this clock: inside the default 300 s skew, outside a 60 s one.
    const close = new Date('2023-08-29T15:38:00Z');
    expect((await verifyProvenanceFile(fixture(NPM), sigstoreJs(), close)).value.verified).toBe(true);
    expect((await verifyProvenanceFile(fixture(NPM), sigstoreJs({ clockSkewSeconds: 60 }), close)).value.reason).toMatch(/^NOT_YET_VALID: /);
  });

  it('matches a signer prefix on whole segments only', async () => {
    const prefix = (san: string) => keyless({ subjectAlternativeName: san, issuer: GITHUB_ACTIONS_ISSUER });
    expect((await verifyProvenanceFile(fixture(NPM), prefix('https://github.com/sigstore/sigstore-js/.github/workflows/'), NOW)).value.verified).toBe(true);
    expect((await verifyProvenanceFile(fixture(NPM), prefix('https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@'), NOW)).value.verified).toBe(true);
    expect((await verifyProvenanceFile(fixture(NPM), prefix('https://github.com/sigstore/sigstore-js/'), NOW)).value.verified).toBe(true);
    // `sigstore` is a prefix of the string `sigstore-js`, not of its path segment.
    const lookAlike = await verifyProvenanceFile(fixture(NPM), prefix('https://github.com/sigstore/sigstore/'), NOW);
    expect(lookAlike.value.verified).toBe(false);
    expect(lookAlike.value.reason).toBe(
      `IDENTITY_MISMATCH: signed by ${SIGSTORE_JS_RELEASE} (issuer ${GITHUB_ACTIONS_ISSUER}), which is none of the trusted signers: https://github.com/sigstore/sigstore/ (issuer ${GITHUB_ACTIONS_ISSUER})`,
    );
    expect(lookAlike.value.signer).toBe(`${SIGSTORE_JS_RELEASE} (issuer ${GITHUB_ACTIONS_ISSUER})`);
    // An exact identity missing the ref is not a prefix.
    const noRef = await verifyProvenanceFile(fixture(NPM), prefix('https://github.com/sigstore/sigstore-js/.github/workflows/release.yml'), NOW);
    expect(noRef.value.reason).toMatch(/^IDENTITY_MISMATCH: /);
  });

  it('accepts any of several trusted signers', async () => {
    const policy = keyless([
      { subjectAlternativeName: 'https://github.com/acme/payments/.github/workflows/', issuer: GITHUB_ACTIONS_ISSUER },
      { subjectAlternativeName: SIGSTORE_JS_RELEASE, issuer: GITHUB_ACTIONS_ISSUER },
    ]);
    expect((await verifyProvenanceFile(fixture(NPM), policy, NOW)).value.verified).toBe(true);
  });

  it('refuses a builder that is not trusted (BUILDER_MISMATCH), after the signature checks out', async () => {
    const parsed = await verifyProvenanceFile(fixture(NPM), sigstoreJs({ builderIds: [GENERATOR_BUILDER] }), NOW);
    expect(parsed.value.verified).toBe(false);
    expect(parsed.value.reason).toBe(`BUILDER_MISMATCH: built by ${GITHUB_HOSTED_BUILDER}, which is none of the trusted builders: ${GENERATOR_BUILDER}`);
    expect(parsed.value.builder).toBe(GITHUB_HOSTED_BUILDER);
  });

  it('verifies a reusable-workflow attestation (actions/attest, dsse entry) with the caller repository from the certificate', async () => {
    const policy = keyless({ subjectAlternativeName: 'https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@', issuer: GITHUB_ACTIONS_ISSUER }, { sourceRepository: 'malancas/attest-demo' });
    const parsed = await verifyProvenanceFile(fixture('attest-reusable-workflow.sigstore.json'), policy, NOW);
    expect(parsed.value).toEqual({
      bundle: 'fixtures/evidence/provenance/attest-reusable-workflow.sigstore.json',
      subjects: [{ name: 'github_provenance_demo-0.0.0-py3-none-any.whl', sha256: '49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25' }],
      predicateType: 'https://slsa.dev/provenance/v1',
      builder: GITHUB_HOSTED_BUILDER,
      buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
      sourceRepository: 'https://github.com/malancas/attest-demo',
      sourceRef: 'refs/heads/main',
      signer: `${REUSABLE_ATTEST} (issuer ${GITHUB_ACTIONS_ISSUER})`,
      verified: true,
    });
    expect(parsed.warnings).toEqual([]);
    const elsewhere = await verifyProvenanceFile(fixture('attest-reusable-workflow.sigstore.json'), { ...policy, sourceRepository: 'https://github.com/malancas/other-demo' }, NOW);
    expect(elsewhere.value.reason).toBe('SOURCE_MISMATCH: built from https://github.com/malancas/attest-demo, not https://github.com/malancas/other-demo');
  });

  it('matches the OIDC issuer exactly (a GitHub Enterprise custom issuer is not the default one)', async () => {
    const workflow = 'https://github.com/too-legit/attest/.github/workflows/integration.yml@refs/heads/main';
    const file = fixture('attest-custom-issuer.sigstore.json');
    const wrongIssuer = await verifyProvenanceFile(file, keyless({ subjectAlternativeName: workflow, issuer: GITHUB_ACTIONS_ISSUER }, { builderIds: [workflow] }), NOW);
    expect(wrongIssuer.value.reason).toMatch(/^IDENTITY_MISMATCH: signed by .* \(issuer https:\/\/token\.actions\.githubusercontent\.com\/hammer-time\)/);
    const right = await verifyProvenanceFile(file, keyless({ subjectAlternativeName: workflow, issuer: `${GITHUB_ACTIONS_ISSUER}/hammer-time` }, { builderIds: [workflow] }), NOW);
    expect(right.value.verified).toBe(true);
    expect(right.value.buildType).toBe('https://actions.github.io/buildtypes/workflow/v1');
    expect(right.value.subjects).toEqual([{ name: 'artifact', sha256: 'afa27b44d43b02a9fea41d13cedc2e4016cfcf87c5dbf990e593669aa8ce286d' }]);
  });

  it('records a bundle from another Sigstore instance (GitHub, TSA-timestamped) as unverified, with its claims', async () => {
    const policy = keyless({ subjectAlternativeName: 'https://github.com/actions/attest-demo/.github/workflows/', issuer: GITHUB_ACTIONS_ISSUER });
    for (const transparencyLog of [true, false]) {
      const p: ProvenancePolicy = { ...policy, trust: { mode: 'keyless', identity: { subjectAlternativeName: 'https://github.com/actions/attest-demo/.github/workflows/', issuer: GITHUB_ACTIONS_ISSUER }, transparencyLog } };
      const parsed = await verifyProvenanceFile(fixture('attest-github-instance.jsonl'), p, NOW);
      expect(parsed.value.verified).toBe(false);
      expect(parsed.value.reason).toMatch(/^TLOG_INVALID: bundle has no signed timestamp the trusted root vouches for/);
      expect(parsed.value.signer).toBeUndefined();
      expect(parsed.value.subjects).toEqual([{ name: 'github_provenance_demo-0.0.12-py3-none-any.whl', sha256: 'ae57936def59bc4c75edd3a837d89bcefc6d3a5e31d55a6fa7a71624f92c3c3b' }]);
      expect(parsed.value.sourceRepository).toBe('https://github.com/actions/attest-demo');
    }
  });

  it('refuses a keyless bundle under a key-only policy (KEY_UNTRUSTED)', async () => {
    const { generateSigningKeyPair, loadPublicKey } = await import('../../src/artifact/keys.js');
    const pub = loadPublicKey(generateSigningKeyPair().publicKeyPem, 'test');
    const parsed = await verifyProvenanceFile(fixture(NPM), { trust: { mode: 'key', keys: [pub] }, builderIds: [GITHUB_HOSTED_BUILDER] }, NOW);
    expect(parsed.value.reason).toBe('KEY_UNTRUSTED: bundle is signed keyless (certificate), but this verifier trusts only pinned keys');
  });
});

describe('files holding several bundles', () => {
  it('reads JSON lines (gh attestation download) with verifyProvenanceBundles, one record per line', async () => {
    const parsed = await verifyProvenanceBundles(fixture('npm-sigstore-2.1.0.two-bundles.jsonl'), sigstoreJs(), NOW);
    expect(parsed.value).toHaveLength(2);
    expect(parsed.value.map((r) => r.verified)).toEqual([true, true]);
    expect(parsed.format).toBe('sigstore-bundle@0.3+slsa-provenance@1');
  });

  it('refuses several bundles in one file for verifyProvenanceFile (one record per file)', async () => {
    const e = await rejectsWith(verifyProvenanceFile(fixture('npm-sigstore-2.1.0.two-bundles.jsonl'), sigstoreJs(), NOW), 'FILE_INVALID');
    expect(e.message).toBe('fixtures/evidence/provenance/npm-sigstore-2.1.0.two-bundles.jsonl: holds 2 bundles; a provenance file holds one');
  });

  it('reads a GitHub attestations API response ({"attestations": [{"bundle": ...}]})', async () => {
    const api = { attestations: [{ bundle: fixtureJson(NPM), repository_id: 495574555 }] };
    const parsed = await verifyProvenanceFile(sourceFile('attestations.json', JSON.stringify(api)), sigstoreJs(), NOW);
    expect(parsed.value.verified).toBe(true);
    expect(parsed.value.bundle).toBe('attestations.json');
  });

  it('reports the line of a broken JSON lines entry', async () => {
    const line = JSON.stringify(fixtureJson(NPM));
    const e = await rejectsWith(verifyProvenanceBundles(sourceFile('b.jsonl', `${line}\n{"mediaType": \n`), sigstoreJs(), NOW), 'FILE_INVALID');
    expect(e.details.line).toBe(2);
    expect(e.message).toBe('b.jsonl: line 2 is not valid JSON (a JSON lines file holds one bundle per line)');
  });
});

describe('files that are not a Sigstore bundle (FILE_INVALID)', () => {
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['broken JSON', '{\n  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",\n  "verificationMaterial": \n}', /is not valid JSON/],
    ['empty file', '', /is not valid JSON/],
    ['a JSON array', '[1, 2]', /is JSON but not a Sigstore bundle object/],
    ['a JSON string', '"hello"', /is JSON but not a Sigstore bundle object/],
    ['an object without a media type', '{"verificationMaterial": {}}', /is not a Sigstore bundle \(no Sigstore bundle mediaType\)/],
    ['a future bundle version', '{"mediaType": "application/vnd.dev.sigstore.bundle.v0.4+json"}', /unsupported version \(application\/vnd\.dev\.sigstore\.bundle\.v0\.4\+json\)/],
    ['a prototype key as media type', '{"mediaType": "constructor"}', /no Sigstore bundle mediaType/],
    ['an empty attestations list', '{"attestations": []}', /holds no Sigstore bundle/],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d, 0x80]), /is not valid UTF-8/],
  ];
  for (const [what, data, message] of cases) {
    it(`refuses ${what}`, async () => {
      const e = await rejectsWith(verifyProvenanceFile(sourceFile('prov.json', data), sigstoreJs(), NOW), 'FILE_INVALID');
      expect(e.message).toMatch(message);
      expect(e.details.file).toBe('prov.json');
      expect(e.details.expected).toMatch(/Sigstore bundle/);
    });
  }

  it('gives the line and column of a JSON syntax error', async () => {
    const e = await rejectsWith(verifyProvenanceFile(sourceFile('prov.json', '{\n  "mediaType": "x",\n  "a": ]\n}'), sigstoreJs(), NOW), 'FILE_INVALID');
    expect(e.details.line).toBe(3);
    expect(e.details.column).toBe(8);
  });

  it('refuses a bare DSSE envelope and a bare statement, saying what to give instead', async () => {
    const npm = fixtureJson(NPM);
    const envelope = npm.dsseEnvelope as { payload: string };
    const dsse = await rejectsWith(verifyProvenanceFile(sourceFile('p.intoto.jsonl', JSON.stringify(npm.dsseEnvelope)), sigstoreJs(), NOW), 'FILE_INVALID');
    expect(dsse.message).toMatch(/is a bare DSSE envelope, not a Sigstore bundle/);
    expect(dsse.details.hint).toMatch(/gh attestation download/);
    const statement = Buffer.from(envelope.payload, 'base64').toString('utf8');
    const bare = await rejectsWith(verifyProvenanceFile(sourceFile('p.json', statement), sigstoreJs(), NOW), 'FILE_INVALID');
    expect(bare.message).toMatch(/is an unsigned in-toto statement/);
  });

  it('records a damaged bundle (right media type, broken structure) as unverified instead', async () => {
    const broken = { ...fixtureJson(NPM), verificationMaterial: undefined };
    const parsed = await verifyProvenanceFile(sourceFile('p.json', JSON.stringify(broken)), sigstoreJs(), NOW);
    expect(parsed.value).toEqual({ bundle: 'p.json', subjects: [], verified: false, reason: 'BUNDLE_INVALID: not a valid Sigstore bundle 0.3 (missing or empty: verificationMaterial)' });
    expect(parsed.format).toBe('sigstore-bundle@0.3');
  });
});

describe('policy problems are configuration errors (INPUT_INVALID), never records', () => {
  it('refuses a policy without builder ids or a keyless one without a signer identity', async () => {
    const noBuilders = await rejectsWith(verifyProvenanceFile(fixture(NPM), sigstoreJs({ builderIds: [] }), NOW), 'INPUT_INVALID');
    expect(noBuilders.details.input).toBe('provenance-builder-ids');
    const noSigner = await rejectsWith(verifyProvenanceFile(fixture(NPM), keyless([]), NOW), 'INPUT_INVALID');
    expect(noSigner.details.input).toBe('provenance-certificate-identity');
  });
});

describe('summarizeProvenance', () => {
  const verified = (bundle: string, sha256: string): ProvenanceRecord => ({ bundle, subjects: [{ name: bundle, sha256 }], verified: true });
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const c = 'c'.repeat(64);

  it('counts verified and unverified records', () => {
    const unverified: ProvenanceRecord = { bundle: 'x.json', subjects: [{ name: 'x', sha256: b }], verified: false, reason: 'SIGNATURE_INVALID: bundle ...' };
    expect(summarizeProvenance([verified('a.json', a), unverified])).toEqual({ artifacts: [verified('a.json', a), unverified], verified: 1, unverified: 1 });
  });

  it('adds a NO_PROVENANCE record for each expected subject no verified record names', () => {
    const claimed: ProvenanceRecord = { bundle: 'tampered.json', subjects: [{ name: 'app', sha256: b }], verified: false, reason: 'SIGNATURE_INVALID: ...' };
    const summary = summarizeProvenance([verified('a.json', a), claimed], [`sha256:${a}`, b.toUpperCase(), c, c, 'not-a-digest']);
    expect(summary.verified).toBe(1);
    expect(summary.unverified).toBe(4);
    expect(summary.artifacts.slice(2)).toEqual([
      { bundle: NO_BUNDLE, subjects: [{ name: `sha256:${b}`, sha256: b }], verified: false, reason: `NO_PROVENANCE: no verified provenance names sha256:${b}; unverified bundle(s) naming it: tampered.json` },
      { bundle: NO_BUNDLE, subjects: [{ name: `sha256:${c}`, sha256: c }], verified: false, reason: `NO_PROVENANCE: no verified provenance names sha256:${c}` },
      { bundle: NO_BUNDLE, subjects: [{ name: 'not-a-digest' }], verified: false, reason: 'NO_PROVENANCE: expected subject "not-a-digest" is not a sha256 digest' },
    ]);
  });

  it('with no records and expected subjects, every subject is NO_PROVENANCE', () => {
    expect(summarizeProvenance([], [a])).toEqual({ artifacts: [{ bundle: NO_BUNDLE, subjects: [{ name: `sha256:${a}`, sha256: a }], verified: false, reason: `NO_PROVENANCE: no verified provenance names sha256:${a}` }], verified: 0, unverified: 1 });
  });
});
