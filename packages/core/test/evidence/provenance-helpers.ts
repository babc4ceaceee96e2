/**
 * Shared by the provenance tests: fixture files, SLSA statements shaped like the real tools'
 * output, signing them (key mode here; keyless in the tests, against the Sigstore mock), and
 * bundle surgery for tampering.
 */
import { expect } from '@jest/globals';
import { generateSigningKeyPair, loadPrivateKey, loadPublicKey } from '../../src/artifact/keys.js';
import { keySigner, type ArtifactSigner, type SerializedBundle } from '../../src/artifact/sign.js';
import { ConfigError } from '../../src/errors.js';
import { GITHUB_HOSTED_BUILDER, type ProvenancePolicy } from '../../src/evidence/provenance.js';
import type { SourceFile } from '../../src/evidence/source.js';
import { fixture as evidenceFixture, fixtureText, sourceFile } from './helpers.js';

/** A fixture under fixtures/evidence/provenance/. */
export function fixture(name: string): SourceFile {
  return evidenceFixture(`provenance/${name}`);
}

export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(fixtureText(`provenance/${name}`)) as Record<string, unknown>;
}

export const GHA_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';
export const GENERATOR_BUILDER = 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0';
/** sha256 of the built artifact the statements name (sha256 of `test`). */
export const ARTIFACT_SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
export const OTHER_SHA = 'f'.repeat(64);
export const COMMIT = '0b9d5e4c3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';

export interface StatementSpec {
  subjects?: { name: string; sha256: string }[];
  repository?: string;
  ref?: string;
  workflowPath?: string;
  builderId?: string;
  buildType?: string;
  predicateType?: string;
  /** Leave out externalParameters.workflow (to test the resolvedDependencies fallback). */
  noWorkflow?: boolean;
}

/** An SLSA v1 statement as actions/attest-build-provenance writes it (field for field). */
export function attestStatement(spec: StatementSpec = {}): Record<string, unknown> {
  const repository = spec.repository ?? 'https://github.com/acme/payments';
  const ref = spec.ref ?? 'refs/tags/v1.4.0';
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: (spec.subjects ?? [{ name: 'payments-api-1.4.0.tgz', sha256: ARTIFACT_SHA }]).map((s) => ({ name: s.name, digest: { sha256: s.sha256 } })),
    predicateType: spec.predicateType ?? 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: spec.buildType ?? GHA_BUILD_TYPE,
        externalParameters: spec.noWorkflow === true ? {} : { workflow: { ref, repository, path: spec.workflowPath ?? '.github/workflows/release.yml' } },
        internalParameters: {
          github: { event_name: 'push', repository_id: '763287532', repository_owner_id: '44036562', runner_environment: 'github-hosted' },
        },
        resolvedDependencies: [{ uri: `git+${repository}@${ref}`, digest: { gitCommit: COMMIT } }],
      },
      runDetails: {
        builder: { id: spec.builderId ?? GITHUB_HOSTED_BUILDER },
        metadata: { invocationId: `${repository}/actions/runs/8788389601/attempts/1` },
      },
    },
  };
}

/** An SLSA v0.2 statement as slsa-github-generator's generic generator writes it. */
export function generatorV02Statement(): Record<string, unknown> {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [{ name: 'payments-linux-amd64', digest: { sha256: ARTIFACT_SHA } }],
    predicate: {
      builder: { id: GENERATOR_BUILDER },
      buildType: 'https://github.com/slsa-framework/slsa-github-generator/generic@v1',
      invocation: {
        configSource: { uri: 'git+https://github.com/acme/payments@refs/tags/v1.4.0', digest: { sha1: COMMIT }, entryPoint: '.github/workflows/release.yml' },
        parameters: {},
        environment: { github_event_name: 'push', github_ref: 'refs/tags/v1.4.0', github_repository: 'acme/payments', github_run_id: '8788389601', github_sha1: COMMIT },
      },
      metadata: { buildInvocationID: '8788389601-1', completeness: { parameters: true, environment: false, materials: false }, reproducible: false },
      materials: [{ uri: 'git+https://github.com/acme/payments@refs/tags/v1.4.0', digest: { sha1: COMMIT } }],
    },
  };
}

export interface TestKeys {
  signer: ArtifactSigner;
  publicKey: ReturnType<typeof loadPublicKey>;
  keyId: string;
}

export function testKeys(): TestKeys {
  const kp = generateSigningKeyPair();
  const publicKey = loadPublicKey(kp.publicKeyPem, 'test');
  return { signer: keySigner(loadPrivateKey(kp.privateKeyPem, 'test'), publicKey), publicKey, keyId: kp.keyId };
}

/** Signs the statement as JSON (not canonical: real tools write plain JSON). */
export function signJson(signer: ArtifactSigner, statement: unknown): Promise<SerializedBundle> {
  return signer.sign(Buffer.from(typeof statement === 'string' ? statement : JSON.stringify(statement), 'utf8'));
}

export function bundleFile(bundle: unknown, path = 'dist/payments.intoto.sigstore.json'): SourceFile {
  return sourceFile(path, JSON.stringify(bundle, null, 2));
}

export function keyPolicy(keys: TestKeys, over: Partial<ProvenancePolicy> = {}): ProvenancePolicy {
  return { trust: { mode: 'key', keys: [keys.publicKey] }, builderIds: [GITHUB_HOSTED_BUILDER], ...over };
}

type Json = Record<string, unknown>;

/** A deep copy of a bundle, changed by `edit`. */
export function edited(bundle: unknown, edit: (b: Json & { dsseEnvelope: Json & { signatures: Json[] }; verificationMaterial: Json }) => void): unknown {
  const copy = JSON.parse(JSON.stringify(bundle)) as Json & { dsseEnvelope: Json & { signatures: Json[] }; verificationMaterial: Json };
  edit(copy);
  return copy;
}

/** Re-encodes the DSSE payload after changing the statement (the signature no longer matches). */
export function withStatement(bundle: unknown, change: (statement: Json) => void): unknown {
  return edited(bundle, (b) => {
    const statement = JSON.parse(Buffer.from(String(b.dsseEnvelope.payload), 'base64').toString('utf8')) as Json;
    change(statement);
    b.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
  });
}

export function flipBase64(b64: string, index: number): string {
  const raw = Buffer.from(b64, 'base64');
  raw[index % raw.length] = (raw[index % raw.length] ?? 0) ^ 0x01;
  return raw.toString('base64');
}

/** The promise rejects with a ConfigError of this code; returns it for further checks. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<ConfigError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const error = caught as ConfigError;
  expect(error.code).toBe(code);
  return error;
}
