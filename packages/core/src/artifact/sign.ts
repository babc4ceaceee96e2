import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import { bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, type IdentityProvider, type Signer } from '@sigstore/sign';
import { ConfigError, InternalError } from '../errors.js';
import { formatSchemaProblems, validateAgainst } from '../schemas/index.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import { keyIdOf } from './keys.js';
import { IN_TOTO_PAYLOAD_TYPE, PREDICATE_SCHEMAS, type Statement } from './statement.js';

export type { SerializedBundle } from '@sigstore/bundle';

/** Turns a statement into a signed Sigstore bundle. Key mode and keyless mode implement it. */
export interface ArtifactSigner {
  readonly mode: 'key' | 'keyless';
  sign(payload: Buffer): Promise<SerializedBundle>;
}

/** ECDSA P-256 / SHA-256 over the DSSE pre-authentication encoding, with the key id as hint. */
class LocalKeySigner implements Signer {
  private readonly hint: string;
  private readonly publicKeyPem: string;
  constructor(private readonly key: KeyObject, publicKey: KeyObject) {
    this.hint = keyIdOf(publicKey);
    this.publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }
  sign(data: Buffer) {
    const signature = cryptoSign('sha256', data, this.key);
    return Promise.resolve({ signature, key: { $case: 'publicKey' as const, publicKey: this.publicKeyPem, hint: this.hint } });
  }
}

/** Key mode: no Fulcio, no Rekor, no timestamp authority (air-gapped, GHES, tests, the demo). */
export function keySigner(privateKey: KeyObject, publicKey: KeyObject): ArtifactSigner {
  const builder = new DSSEBundleBuilder({ signer: new LocalKeySigner(privateKey, publicKey), witnesses: [] });
  return {
    mode: 'key',
    async sign(payload) {
      return bundleToJSON(await builder.create({ data: payload, type: IN_TOTO_PAYLOAD_TYPE }));
    },
  };
}

export interface KeylessSignerOptions {
  fulcioUrl: string;
  rekorUrl: string;
  /** Returns the OIDC token (in Actions: the runner's ID token for audience `sigstore`). */
  identityProvider: IdentityProvider;
  timeoutMs?: number;
  retries?: number;
}

/** Keyless mode: OIDC token -> Fulcio certificate -> Rekor entry (v1 API, `intoto` entries). */
export function keylessSigner(opts: KeylessSignerOptions): ArtifactSigner {
  const timeout = opts.timeoutMs ?? 15_000;
  const retry = opts.retries ?? 2;
  let tokenError: unknown;
  const identityProvider: IdentityProvider = {
    getToken: () =>
      opts.identityProvider.getToken().catch((e: unknown) => {
        tokenError = e;
        throw e instanceof Error ? e : new Error(String(e));
      }),
  };
  const builder = new DSSEBundleBuilder({
    signer: new FulcioSigner({ identityProvider, fulcioBaseURL: opts.fulcioUrl, timeout, retry }),
    witnesses: [new RekorWitness({ rekorBaseURL: opts.rekorUrl, entryType: 'intoto', timeout, retry })],
    certificateChain: false,
  });
  return {
    mode: 'keyless',
    async sign(payload) {
      tokenError = undefined;
      try {
        return bundleToJSON(await builder.create({ data: payload, type: IN_TOTO_PAYLOAD_TYPE }));
      } catch (e) {
        const detail = e instanceof Error ? e.message : String(e);
        if (tokenError !== undefined) {
          throw new ConfigError('PERMISSION_MISSING', `keyless signing could not get an OIDC token for audience sigstore (${tokenError instanceof Error ? tokenError.message : JSON.stringify(tokenError)})`, {
            input: 'signing-mode',
            hint: 'Grant the job `permissions: id-token: write`, or sign in key mode (signing-key). Fork pull requests never get an OIDC token.',
            cause: e,
          });
        }
        // Fulcio or Rekor refused or could not be reached: not the user's config, not a genops bug.
        throw new ConfigError('SIGNING_UNAVAILABLE', `keyless signing failed at ${opts.fulcioUrl} / ${opts.rekorUrl}: ${detail}`, {
          input: 'signing-mode',
          hint: 'Re-run the job; if Sigstore is down or unreachable from your runners, use key mode (signing-key) or point fulcio-url / rekor-url at your own instance.',
          cause: e,
        });
      }
    },
  };
}

export interface SignedArtifact {
  bundle: SerializedBundle;
  statement: Statement;
  /** sha256 (hex) of the signed payload: the RFC 8785 canonical statement. */
  digest: string;
}

/**
 * Validates and signs a statement. The DSSE payload is the RFC 8785 canonical
 * form of the statement, so the statement digest is the payload digest.
 * Refuses to sign what a receiver would refuse to verify.
 */
export async function signStatement(statement: Statement, signer: ArtifactSigner): Promise<SignedArtifact> {
  const problems = validateAgainst('statement', statement);
  const schema = PREDICATE_SCHEMAS[statement.predicateType];
  if (schema === undefined) {
    throw new ConfigError('INPUT_INVALID', `no schema is registered for predicate type ${statement.predicateType}`, {
      expected: `one of ${Object.keys(PREDICATE_SCHEMAS).join(', ')}`,
    });
  }
  problems.push(...validateAgainst(schema, statement.predicate).map((p) => ({ ...p, pointer: `/predicate${p.pointer}` })));
  if (problems.length > 0) {
    // Ours: a stage built a statement that breaks its own contract.
    throw new InternalError(`refusing to sign a statement that fails its schema: ${formatSchemaProblems(problems)}`);
  }
  const payload = Buffer.from(canonicalJson(statement), 'utf8');
  const bundle = await signer.sign(payload);
  return { bundle, statement, digest: sha256Hex(payload) };
}
