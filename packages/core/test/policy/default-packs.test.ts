/**
 * The default packs in policies/: every PolicyTest case passes (what `genops policy test policies/`
 * runs), every rule of every pack is violated by at least one case and passes in another, every
 * pack has an allowed case, and the embedded copy the actions use is the same text.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../../src/artifact/canonical.js';
import type { SourceFile } from '../../src/evidence/source.js';
import { loadPolicyDocuments, runPolicyTests } from '../../src/policy/index.js';
import { DEFAULT_POLICY_PACKS } from '../../src/schemas/generated/default-policy-packs.js';

const root = new URL('../../../../', import.meta.url).pathname;
const read = (path: string): SourceFile => {
  const bytes = readFileSync(join(root, path));
  return { path, bytes, sha256: sha256Hex(bytes) };
};
const packs = readdirSync(join(root, 'policies'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('default policy packs', () => {
  it('has the five packs of the design', () => {
    expect(packs).toEqual(['ai-changes', 'genai', 'genops-baseline', 'metadata', 'supply-chain']);
  });

  describe.each(packs)('%s', (pack) => {
    const tests = [read(`policies/${pack}/${pack}.test.yaml`)];
    const { cases } = runPolicyTests(tests, read);
    const bundle = loadPolicyDocuments([read(`policies/${pack}/${pack}.yaml`)]);
    const ruleIds = bundle.sets.flatMap((s) => s.rules.map((r) => r.doc.id));

    it('passes every PolicyTest case', () => {
      expect(cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`)).toEqual([]);
      expect(cases.length).toBeGreaterThan(ruleIds.length);
    });

    it('violates every rule in some case and passes it in another', () => {
      for (const id of ruleIds) {
        expect([id, cases.some((c) => c.actual.violated.includes(id))]).toEqual([id, true]);
        expect([id, cases.some((c) => !c.actual.violated.includes(id))]).toEqual([id, true]);
      }
    });

    it('has an allowed case and no evaluation errors', () => {
      expect(cases.some((c) => c.actual.decision === 'allow')).toBe(true);
      expect(cases.flatMap((c) => c.actual.errors)).toEqual([]);
    });
  });

  it('embeds the same pack files the actions evaluate with `policies: default` (run pnpm gen after editing policies/)', () => {
    const onDisk = packs.map((p) => ({ pack: p, path: `policies/${p}/${p}.yaml`, text: readFileSync(join(root, `policies/${p}/${p}.yaml`), 'utf8') }));
    expect(DEFAULT_POLICY_PACKS).toEqual(onDisk);
  });
});
