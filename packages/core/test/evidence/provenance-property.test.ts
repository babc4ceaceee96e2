/**
 * Random bytes, random JSON, bundle-shaped random JSON and mutated real and signed bundles: the
 * verifier either returns a record or rejects with a ConfigError, and never reports a bundle
 * verified unless what it records is exactly what was signed.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { GITHUB_ACTIONS_ISSUER } from '../../src/artifact/trust.js';
import { ConfigError } from '../../src/errors.js';
import type { ProvenanceRecord } from '../../src/evidence/model.js';
import { GITHUB_HOSTED_BUILDER, verifyProvenanceBundles, verifyProvenanceFile, type ProvenancePolicy } from '../../src/evidence/provenance.js';
import { sourceFile } from './helpers.js';
import { attestStatement, fixtureJson, keyPolicy, signJson, testKeys, type TestKeys } from './provenance-helpers.js';

const NOW = new Date('2026-03-02T10:00:00Z');
const RUNS = { numRuns: 200, seed: 42 };
const NPM_POLICY: ProvenancePolicy = {
  trust: { mode: 'keyless', identity: { subjectAlternativeName: 'https://github.com/sigstore/sigstore-js/.github/workflows/', issuer: GITHUB_ACTIONS_ISSUER } },
  builderIds: [GITHUB_HOSTED_BUILDER],
};

/**
 * Runs both entry points and returns every record they gave (none when both rejected with a
 * ConfigError); anything else thrown fails the property.
 */
async function records(bytes: Uint8Array, policy: ProvenancePolicy): Promise<ProvenanceRecord[]> {
  const file = sourceFile('prov.json', bytes);
  const out: ProvenanceRecord[] = [];
  for (const run of [async () => [(await verifyProvenanceFile(file, policy, NOW)).value], async () => (await verifyProvenanceBundles(file, policy, NOW)).value]) {
    try {
      out.push(...(await run()));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
    }
  }
  return out;
}

const MEDIA_TYPES = ['application/vnd.dev.sigstore.bundle+json;version=0.1', 'application/vnd.dev.sigstore.bundle+json;version=0.2', 'application/vnd.dev.sigstore.bundle.v0.3+json'];

/** JSON that looks like a bundle: a real media type, the right top-level keys, random insides. */
const bundleShaped = fc.record({
  mediaType: fc.constantFrom(...MEDIA_TYPES),
  verificationMaterial: fc.oneof(fc.jsonValue(), fc.record({ publicKey: fc.record({ hint: fc.string() }), certificate: fc.record({ rawBytes: fc.base64String() }), tlogEntries: fc.array(fc.jsonValue(), { maxLength: 2 }) }, { requiredKeys: [] })),
  dsseEnvelope: fc.oneof(fc.jsonValue(), fc.record({ payload: fc.base64String(), payloadType: fc.constantFrom('application/vnd.in-toto+json', 'x'), signatures: fc.array(fc.record({ sig: fc.base64String(), keyid: fc.string() }), { maxLength: 2 }) }, { requiredKeys: [] })),
});

/** Every path to a value in a JSON document. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

type Mutation = { kind: 'delete' } | { kind: 'replace'; value: unknown } | { kind: 'flip'; index: number };

function mutate(doc: unknown, path: (string | number)[], m: Mutation): unknown {
  const copy = JSON.parse(JSON.stringify(doc)) as unknown;
  if (path.length === 0) return m.kind === 'replace' ? m.value : copy;
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else Reflect.deleteProperty(parent, last);
  } else if (m.kind === 'replace') {
    parent[last] = m.value;
  } else {
    const current = parent[last];
    if (typeof current === 'string' && current.length > 0) {
      const raw = Buffer.from(current, 'base64');
      if (raw.length > 0) {
        raw[m.index % raw.length] = (raw[m.index % raw.length] ?? 0) ^ (1 << (m.index % 8));
        parent[last] = raw.toString('base64');
      } else {
        parent[last] = `${current}x`;
      }
    }
  }
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'delete' }),
  fc.jsonValue().map<Mutation>((value) => ({ kind: 'replace', value })),
  fc.nat().map<Mutation>((index) => ({ kind: 'flip', index })),
);

describe('provenance verifier properties', () => {
  let keys: TestKeys;
  let signed: unknown;
  let signedRecord: ProvenanceRecord;
  const npm = fixtureJson('npm-sigstore-2.1.0.sigstore.json');
  let npmRecord: ProvenanceRecord;

  beforeAll(async () => {
    keys = testKeys();
    signed = await signJson(keys.signer, attestStatement());
    signedRecord = (await verifyProvenanceFile(sourceFile('prov.json', JSON.stringify(signed)), keyPolicy(keys), NOW)).value;
    npmRecord = (await verifyProvenanceFile(sourceFile('prov.json', JSON.stringify(npm)), NPM_POLICY, NOW)).value;
    expect(signedRecord.verified).toBe(true);
    expect(npmRecord.verified).toBe(true);
  });

  it('random bytes: a record (never verified) or a ConfigError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        expect((await records(bytes, keyPolicy(keys))).some((r) => r.verified)).toBe(false);
      }),
      RUNS,
    );
  });

  it('random JSON and bundle-shaped JSON: a record (never verified) or a ConfigError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), bundleShaped), async (value) => {
        expect((await records(Buffer.from(JSON.stringify(value)), keyPolicy(keys))).some((r) => r.verified)).toBe(false);
      }),
      RUNS,
    );
  });

  it('mutated key-signed bundles: verified only when the record is exactly the signed one', async () => {
    const all = paths(signed);
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutation, async (n, m) => {
        const doc = mutate(signed, all[n % all.length] ?? [], m);
        for (const r of await records(Buffer.from(JSON.stringify(doc) ?? 'null'), keyPolicy(keys))) if (r.verified) expect(r).toEqual(signedRecord);
      }),
      RUNS,
    );
  });

  it('mutated real keyless bundles: verified only when the record is exactly the signed one', async () => {
    const all = paths(npm);
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutation, async (n, m) => {
        const doc = mutate(npm, all[n % all.length] ?? [], m);
        for (const r of await records(Buffer.from(JSON.stringify(doc) ?? 'null'), NPM_POLICY)) if (r.verified) expect(r).toEqual(npmRecord);
      }),
      RUNS,
    );
  });

  it('payload bit flips never verify', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (index) => {
        const doc = mutate(signed, ['dsseEnvelope', 'payload'], { kind: 'flip', index });
        expect((await records(Buffer.from(JSON.stringify(doc)), keyPolicy(keys))).map((r) => r.verified)).toEqual([false, false]);
      }),
      RUNS,
    );
  });
});
