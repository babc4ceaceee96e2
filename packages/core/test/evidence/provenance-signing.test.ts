/**
 * SLSA provenance shaped like actions/attest-build-provenance and slsa-github-generator output,
 * signed here: in key mode with fresh keys, and keyless against the local Sigstore mock (Fulcio,
 * Rekor, OIDC on loopback, on the mock's clock). Then tampered with, one thing at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSigstoreMock, type GitHubOidcClaims, type SigstoreMock } from '@genops/testkit';
import type { SerializedBundle } from '../../src/artifact/sign.js';
import { keylessSigner } from '../../src/artifact/sign.js';
import { GITHUB_ACTIONS_ISSUER } from '../../src/artifact/trust.js';
import { GITHUB_HOSTED_BUILDER, summarizeProvenance, verifyProvenanceFile, type ProvenancePolicy, type SignerIdentity } from '../../src/evidence/provenance.js';
import {
  ARTIFACT_SHA,
  attestStatement,
  bundleFile,
  edited,
  flipBase64,
  GENERATOR_BUILDER,
  generatorV02Statement,
  keyPolicy,
  OTHER_SHA,
  signJson,
  testKeys,
  withStatement,
  type TestKeys,
} from './provenance-helpers.js';

const NOW = new Date('2026-03-02T10:00:00Z');

describe('key mode (pinned ECDSA P-256 keys)', () => {
  let keys: TestKeys;
  let bundle: SerializedBundle;
  beforeAll(async () => {
    keys = testKeys();
    bundle = await signJson(keys.signer, attestStatement());
  });

  it('verifies attest-build-provenance-shaped SLSA v1 and extracts its fields', async () => {
    const parsed = await verifyProvenanceFile(bundleFile(bundle), keyPolicy(keys, { sourceRepository: 'https://github.com/acme/payments' }), NOW);
    expect(parsed.format).toBe('sigstore-bundle@0.3+slsa-provenance@1');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.value).toEqual({
      bundle: 'dist/payments.intoto.sigstore.json',
      subjects: [{ name: 'payments-api-1.4.0.tgz', sha256: ARTIFACT_SHA }],
      predicateType: 'https://slsa.dev/provenance/v1',
      builder: GITHUB_HOSTED_BUILDER,
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      sourceRepository: 'https://github.com/acme/payments',
      sourceRef: 'refs/tags/v1.4.0',
      signer: `key ${keys.keyId}`,
      verified: true,
    });
  });

  it('refuses a tampered payload (SIGNATURE_INVALID) but still records what it claims', async () => {
    const flipped = edited(bundle, (b) => {
      b.dsseEnvelope.payload = flipBase64(String(b.dsseEnvelope.payload), 3);
    });
    const r1 = await verifyProvenanceFile(bundleFile(flipped), keyPolicy(keys), NOW);
    expect(r1.value.verified).toBe(false);
    expect(r1.value.reason).toMatch(/^SIGNATURE_INVALID: bundle has a signature that does not match its payload/);

    // A swapped subject digest: the record shows the claim, unverified, and it covers nothing.
    const swapped = withStatement(bundle, (st) => {
      st.subject = [{ name: 'payments-api-1.4.0.tgz', digest: { sha256: OTHER_SHA } }];
    });
    const r2 = await verifyProvenanceFile(bundleFile(swapped, 'swapped.json'), keyPolicy(keys), NOW);
    expect(r2.value.verified).toBe(false);
    expect(r2.value.reason).toMatch(/^SIGNATURE_INVALID: /);
    expect(r2.value.subjects).toEqual([{ name: 'payments-api-1.4.0.tgz', sha256: OTHER_SHA }]);
    expect(r2.value.signer).toBeUndefined();
    const summary = summarizeProvenance([r2.value], [OTHER_SHA]);
    expect(summary.artifacts[1]?.reason).toBe(`NO_PROVENANCE: no verified provenance names sha256:${OTHER_SHA}; unverified bundle(s) naming it: swapped.json`);
  });

  it('refuses a signature by a key that is not pinned (KEY_UNTRUSTED)', async () => {
    const other = testKeys();
    const parsed = await verifyProvenanceFile(bundleFile(bundle), keyPolicy(other), NOW);
    expect(parsed.value.reason).toBe(`KEY_UNTRUSTED: bundle is signed with key ${keys.keyId}, which is not one of the 1 pinned public key(s)`);
    // Any of several pinned keys may sign.
    const both: ProvenancePolicy = { ...keyPolicy(keys), trust: { mode: 'key', keys: [other.publicKey, keys.publicKey] } };
    expect((await verifyProvenanceFile(bundleFile(bundle), both, NOW)).value.verified).toBe(true);
  });

  it('refuses a key-signed bundle under a keyless policy (KEY_UNTRUSTED)', async () => {
    const policy: ProvenancePolicy = { trust: { mode: 'keyless', identity: { subjectAlternativeName: 'https://github.com/acme/payments/.github/workflows/', issuer: GITHUB_ACTIONS_ISSUER } }, builderIds: [GITHUB_HOSTED_BUILDER] };
    expect((await verifyProvenanceFile(bundleFile(bundle), policy, NOW)).value.reason).toBe('KEY_UNTRUSTED: bundle is signed with a bare key, but this verifier trusts only keyless (Fulcio) signatures');
  });

  it('refuses an untrusted builder (BUILDER_MISMATCH) and provenance without a builder', async () => {
    const generic = await signJson(keys.signer, attestStatement({ builderId: 'https://github.com/actions/runner/self-hosted' }));
    const parsed = await verifyProvenanceFile(bundleFile(generic), keyPolicy(keys), NOW);
    expect(parsed.value.reason).toBe(`BUILDER_MISMATCH: built by https://github.com/actions/runner/self-hosted, which is none of the trusted builders: ${GITHUB_HOSTED_BUILDER}`);
    expect(parsed.value.signer).toBe(`key ${keys.keyId}`);
    const st = attestStatement() as { predicate: { runDetails: Record<string, unknown> } };
    delete st.predicate.runDetails.builder;
    expect((await verifyProvenanceFile(bundleFile(await signJson(keys.signer, st)), keyPolicy(keys), NOW)).value.reason).toBe('BUILDER_MISMATCH: the provenance names no builder id');
  });

  it('checks the source repository when the policy names one (owner/repo or URL, case and .git ignored)', async () => {
    for (const ok of ['acme/payments', 'https://github.com/Acme/Payments.git', 'git+https://github.com/acme/payments/']) {
      expect((await verifyProvenanceFile(bundleFile(bundle), keyPolicy(keys, { sourceRepository: ok }), NOW)).value.verified).toBe(true);
    }
    const other = await verifyProvenanceFile(bundleFile(bundle), keyPolicy(keys, { sourceRepository: 'acme/payments-fork' }), NOW);
    expect(other.value.reason).toBe('SOURCE_MISMATCH: built from https://github.com/acme/payments, not https://github.com/acme/payments-fork');
    const st = attestStatement({ noWorkflow: true, buildType: 'https://example.com/buildtypes/custom/v1' }) as { predicate: { buildDefinition: Record<string, unknown> } };
    st.predicate.buildDefinition.resolvedDependencies = [];
    const none = await verifyProvenanceFile(bundleFile(await signJson(keys.signer, st)), keyPolicy(keys, { sourceRepository: 'acme/payments' }), NOW);
    expect(none.value.reason).toBe('SOURCE_MISMATCH: names no source repository (expected https://github.com/acme/payments)');
  });

  it('reads the source from resolvedDependencies for other build types, and warns when a GitHub build type lacks the workflow', async () => {
    const custom = await signJson(keys.signer, attestStatement({ noWorkflow: true, buildType: 'https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0' }));
    const r1 = await verifyProvenanceFile(bundleFile(custom), keyPolicy(keys), NOW);
    expect([r1.value.sourceRepository, r1.value.sourceRef, r1.warnings]).toEqual(['https://github.com/acme/payments', 'refs/tags/v1.4.0', []]);
    const gha = await signJson(keys.signer, attestStatement({ noWorkflow: true }));
    const r2 = await verifyProvenanceFile(bundleFile(gha), keyPolicy(keys), NOW);
    expect(r2.value.sourceRepository).toBe('https://github.com/acme/payments');
    expect(r2.warnings).toEqual(['build type https://actions.github.io/buildtypes/workflow/v1 without externalParameters.workflow.repository: the source is read from resolvedDependencies']);
  });

  it('records SLSA v0.2 (slsa-github-generator) with a warning', async () => {
    const v02 = await signJson(keys.signer, generatorV02Statement());
    const parsed = await verifyProvenanceFile(bundleFile(v02), keyPolicy(keys, { builderIds: [GENERATOR_BUILDER], sourceRepository: 'acme/payments' }), NOW);
    expect(parsed.format).toBe('sigstore-bundle@0.3+slsa-provenance@0.2');
    expect(parsed.warnings).toEqual(['SLSA provenance v0.2 is superseded by v1: recorded, but upgrade the builder when you can']);
    expect(parsed.value).toMatchObject({
      verified: true,
      predicateType: 'https://slsa.dev/provenance/v0.2',
      builder: GENERATOR_BUILDER,
      buildType: 'https://github.com/slsa-framework/slsa-github-generator/generic@v1',
      sourceRepository: 'https://github.com/acme/payments',
      sourceRef: 'refs/tags/v1.4.0',
      subjects: [{ name: 'payments-linux-amd64', sha256: ARTIFACT_SHA }],
    });
  });

  it('refuses signed payloads that are not SLSA provenance statements', async () => {
    const reason = async (payload: unknown) => (await verifyProvenanceFile(bundleFile(await signJson(keys.signer, payload)), keyPolicy(keys), NOW)).value.reason;
    expect(await reason('hello, world!')).toBe('STATEMENT_INVALID: the signed payload is not JSON');
    expect(await reason([1, 2])).toBe('STATEMENT_INVALID: the signed payload is not a JSON object');
    expect(await reason({ ...attestStatement(), _type: 'https://example.com/Statement' })).toBe('STATEMENT_INVALID: the signed payload is not an in-toto Statement (v0.1 or v1): _type is https://example.com/Statement');
    expect(await reason({ ...attestStatement(), subject: [] })).toBe('STATEMENT_INVALID: the statement names no subject');
    expect(await reason({ ...attestStatement(), predicate: { buildDefinition: {} } })).toBe('STATEMENT_INVALID: the SLSA v1 predicate has no buildDefinition or runDetails');
    expect(await reason(attestStatement({ predicateType: 'https://spdx.dev/Document' }))).toBe(
      'PREDICATE_TYPE_MISMATCH: the predicate type is https://spdx.dev/Document, not SLSA provenance (https://slsa.dev/provenance/v1 or https://slsa.dev/provenance/v0.2)',
    );
  });

  it('refuses another payload type, no signature, two signatures, and a message signature', async () => {
    const reason = async (b: unknown) => (await verifyProvenanceFile(bundleFile(b), keyPolicy(keys), NOW)).value.reason;
    expect(await reason(edited(bundle, (b) => { b.dsseEnvelope.payloadType = 'text/plain'; }))).toBe('PAYLOAD_TYPE_MISMATCH: the DSSE payload type is "text/plain", not application/vnd.in-toto+json');
    expect(await reason(edited(bundle, (b) => { b.dsseEnvelope.signatures = []; }))).toBe('UNSIGNED: the DSSE envelope carries no signature');
    expect(await reason(edited(bundle, (b) => { b.dsseEnvelope.signatures.push(b.dsseEnvelope.signatures[0] ?? {}); }))).toBe('BUNDLE_INVALID: the DSSE envelope carries 2 signatures; a Sigstore bundle has exactly one');
    const blob = edited(bundle, (b) => {
      delete (b as Record<string, unknown>).dsseEnvelope;
      (b as Record<string, unknown>).messageSignature = { messageDigest: { algorithm: 'SHA2_256', digest: Buffer.from(ARTIFACT_SHA, 'hex').toString('base64') }, signature: 'MEUCIQ==' };
    });
    expect(await reason(blob)).toBe('BUNDLE_INVALID: the bundle holds a message signature (a signed blob), not a DSSE attestation');
  });

  it('keeps strings within the evidence schema bounds', async () => {
    const long = `https://example.com/${'x'.repeat(5000)}`;
    const parsed = await verifyProvenanceFile(bundleFile(await signJson(keys.signer, attestStatement({ builderId: long, subjects: [{ name: 'n'.repeat(5000), sha256: ARTIFACT_SHA }] }))), keyPolicy(keys), NOW);
    expect(parsed.value.builder).toHaveLength(4096);
    expect(parsed.value.subjects[0]?.name).toHaveLength(4096);
    expect((parsed.value.reason ?? '').length).toBeLessThanOrEqual(1024);
    expect(parsed.warnings).toEqual(['a subject name of 5000 characters is cut to 4096']);
  });
});

describe('keyless mode (mock Fulcio + Rekor)', () => {
  const CLAIMS: GitHubOidcClaims = {
    repository: 'acme/payments',
    workflowPath: '.github/workflows/release.yml',
    ref: 'refs/tags/v1.4.0',
    sha: '0b9d5e4c3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d',
    runId: '8788389601',
    runAttempt: '1',
    eventName: 'push',
  };
  const SAN = 'https://github.com/acme/payments/.github/workflows/release.yml@refs/tags/v1.4.0';
  let mock: SigstoreMock;
  let bundle: SerializedBundle;
  let forged: SerializedBundle;
  let clock: Date;

  beforeAll(async () => {
    mock = await startSigstoreMock();
    clock = mock.clock;
    const signer = keylessSigner({ fulcioUrl: mock.fulcioUrl, rekorUrl: mock.rekorUrl, identityProvider: mock.identityProvider(CLAIMS), retries: 0 });
    bundle = await signJson(signer, attestStatement());
    // Signed by acme/payments's workflow, claiming to be built from another repository.
    forged = await signJson(signer, attestStatement({ repository: 'https://github.com/evil/payments' }));
  });
  afterAll(() => mock.close());

  function policy(identity: SignerIdentity | SignerIdentity[] = { subjectAlternativeName: SAN, issuer: GITHUB_ACTIONS_ISSUER }, over: Partial<ProvenancePolicy> = {}): ProvenancePolicy {
    return { trust: { mode: 'keyless', identity, trustedRoot: mock.trustedRoot }, builderIds: [GITHUB_HOSTED_BUILDER], ...over };
  }

  it('verifies against the trusted root and an exact signer identity', async () => {
    expect(mock.sanFor(CLAIMS)).toBe(SAN);
    const parsed = await verifyProvenanceFile(bundleFile(bundle), policy(undefined, { sourceRepository: 'acme/payments' }), clock);
    expect(parsed.format).toBe('sigstore-bundle@0.3+slsa-provenance@1');
    expect(parsed.value).toEqual({
      bundle: 'dist/payments.intoto.sigstore.json',
      subjects: [{ name: 'payments-api-1.4.0.tgz', sha256: ARTIFACT_SHA }],
      predicateType: 'https://slsa.dev/provenance/v1',
      builder: GITHUB_HOSTED_BUILDER,
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      sourceRepository: 'https://github.com/acme/payments',
      sourceRef: 'refs/tags/v1.4.0',
      signer: `${SAN} (issuer ${GITHUB_ACTIONS_ISSUER})`,
      verified: true,
    });
  });

  it('verifies with a prefix identity, and refuses look-alike prefixes and other issuers (IDENTITY_MISMATCH)', async () => {
    const check = async (san: string, issuer = GITHUB_ACTIONS_ISSUER) => (await verifyProvenanceFile(bundleFile(bundle), policy({ subjectAlternativeName: san, issuer }), clock)).value;
    expect((await check('https://github.com/acme/payments/.github/workflows/')).verified).toBe(true);
    expect((await check('https://github.com/acme/payments/.github/workflows/release.yml@')).verified).toBe(true);
    expect((await check('https://github.com/acme/pay/')).reason).toMatch(/^IDENTITY_MISMATCH: signed by https:\/\/github\.com\/acme\/payments\//);
    expect((await check('https://github.com/acme/payments/.github/workflows/release.yml@refs/tags/v1.4')).reason).toMatch(/^IDENTITY_MISMATCH: /);
    expect((await check('https://github.com/acme/payments/.github/workflows/deploy.yml@')).reason).toMatch(/^IDENTITY_MISMATCH: /);
    expect((await check(SAN, 'https://accounts.google.com')).reason).toMatch(/^IDENTITY_MISMATCH: /);
  });

  it('does not believe a statement that claims another source repository than the certificate (SOURCE_MISMATCH)', async () => {
    const parsed = await verifyProvenanceFile(bundleFile(forged), policy(), clock);
    expect(parsed.value.verified).toBe(false);
    expect(parsed.value.reason).toBe('SOURCE_MISMATCH: claims source repository https://github.com/evil/payments, but was signed from https://github.com/acme/payments');
  });

  it('refuses a tampered payload (the Rekor entry or the signature catches it)', async () => {
    const tampered = withStatement(bundle, (st) => {
      st.subject = [{ name: 'payments-api-1.4.0.tgz', digest: { sha256: OTHER_SHA } }];
    });
    const parsed = await verifyProvenanceFile(bundleFile(tampered), policy(), clock);
    expect(parsed.value.verified).toBe(false);
    expect(parsed.value.reason).toMatch(/^(SIGNATURE_INVALID|TLOG_INVALID): /);
  });

  it('refuses a keyless bundle under a key-only policy (KEY_UNTRUSTED)', async () => {
    expect((await verifyProvenanceFile(bundleFile(bundle), keyPolicy(testKeys()), clock)).value.reason).toMatch(/^KEY_UNTRUSTED: bundle is signed keyless/);
  });

  it('accepts a certificate long expired now, since it was valid when the log entry was made (Sigstore rule)', async () => {
    const later = new Date(clock.getTime() + 30 * 24 * 3600 * 1000);
    expect((await verifyProvenanceFile(bundleFile(bundle), policy(), later)).value.verified).toBe(true);
  });

  it('refuses a signing time after the verifier clock (NOT_YET_VALID)', async () => {
    const before = new Date(clock.getTime() - 3600 * 1000);
    expect((await verifyProvenanceFile(bundleFile(bundle), policy(), before)).value.reason).toBe(`NOT_YET_VALID: signed at ${clock.toISOString()}, after the verifier's time ${before.toISOString()}`);
  });

  it('refuses a log time outside the certificate validity (expired or not yet valid at signing: KEY_UNTRUSTED)', async () => {
    for (const shift of [3600, -3600]) {
      const moved = edited(bundle, (b) => {
        const entries = b.verificationMaterial.tlogEntries as { integratedTime: string }[];
        const entry = entries[0];
        if (entry !== undefined) entry.integratedTime = String(Math.floor(clock.getTime() / 1000) + shift);
      });
      const parsed = await verifyProvenanceFile(bundleFile(moved), policy(), new Date(clock.getTime() + 7200 * 1000));
      expect(parsed.value.verified).toBe(false);
      expect(parsed.value.reason).toBe('KEY_UNTRUSTED: bundle is signed by a key or certificate the trusted root does not vouch for (Failed to verify certificate chain: certificate is not valid or expired at the specified date)');
    }
  });

  it('refuses a certificate from another Sigstore instance', async () => {
    const other = await startSigstoreMock({ clock });
    try {
      const signer = keylessSigner({ fulcioUrl: other.fulcioUrl, rekorUrl: other.rekorUrl, identityProvider: other.identityProvider(CLAIMS), retries: 0 });
      const foreign = await signJson(signer, attestStatement());
      expect((await verifyProvenanceFile(bundleFile(foreign), policy(), clock)).value.reason).toMatch(/^(KEY_UNTRUSTED|TLOG_INVALID): /);
    } finally {
      await other.close();
    }
  });

  it('still checks log entries that are present when the transparency log is not required', async () => {
    const p = policy();
    const relaxed: ProvenancePolicy = { ...p, trust: { mode: 'keyless', identity: { subjectAlternativeName: SAN, issuer: GITHUB_ACTIONS_ISSUER }, trustedRoot: mock.trustedRoot, transparencyLog: false } };
    expect((await verifyProvenanceFile(bundleFile(bundle), relaxed, clock)).value.verified).toBe(true);
    const badBody = edited(bundle, (b) => {
      const entry = (b.verificationMaterial.tlogEntries as { canonicalizedBody: string }[])[0];
      if (entry !== undefined) entry.canonicalizedBody = flipBase64(entry.canonicalizedBody, 20);
    });
    expect((await verifyProvenanceFile(bundleFile(badBody), relaxed, clock)).value.verified).toBe(false);
    // Without the Rekor entry there is no verified timestamp left, and a timestamp is always required.
    const noLog = edited(bundle, (b) => {
      b.verificationMaterial.tlogEntries = [];
    });
    expect((await verifyProvenanceFile(bundleFile(noLog), relaxed, clock)).value.reason).toBe('TLOG_INVALID: bundle has no signed timestamp the trusted root vouches for (expected 1 timestamps, got 0)');
    expect((await verifyProvenanceFile(bundleFile(noLog), p, clock)).value.reason).toMatch(/^TLOG_INVALID: /);
  });
});
