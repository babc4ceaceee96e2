/**
 * Where a gate's policies come from (policy/sources.ts): embedded default packs, and workspace
 * directories, files and globs, with PolicyTest files left out by name and by content, the same
 * test the CLI uses.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '../../src/io.js';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_PACK_NAMES, isPolicyTestFile, readPolicySources } from '../../src/policy/sources.js';

const SET = 'apiVersion: genops.dev/v1\nkind: PolicySet\nmetadata: { name: local }\nspec:\n  rules: []\n';
const TEST = 'apiVersion: genops.dev/v1\nkind: PolicyTest\nmetadata: { name: cases }\nspec:\n  policies: [local.yaml]\n  cases: []\n';

let ws: string;
beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'genops-policy-sources-'));
  await mkdir(join(ws, 'policies', 'nested'), { recursive: true });
  await writeFile(join(ws, 'policies', 'local.yaml'), SET);
  await writeFile(join(ws, 'policies', 'nested', 'more.yml'), SET.replace('local', 'more'));
  await writeFile(join(ws, 'policies', 'local.test.yaml'), TEST);
  await writeFile(join(ws, 'policies', 'cases.yaml'), TEST); // a PolicyTest by content only
  await writeFile(join(ws, 'policies', 'notes.md'), '# not a policy\n');
});
afterAll(() => rm(ws, { recursive: true, force: true }));

describe('readPolicySources', () => {
  it('reads a directory recursively, YAML only, PolicyTest files left out by name and by content', async () => {
    const files = await readPolicySources(nodeFileSystem(ws), 'policies', ['policies']);
    expect(files.map((f) => f.path)).toEqual(['policies/local.yaml', 'policies/nested/more.yml']);
  });

  it('mixes default packs, files and globs, each file once', async () => {
    const files = await readPolicySources(nodeFileSystem(ws), 'policies', ['default:metadata', 'policies/local.yaml', 'policies/**/*.yml', 'policies/local.yaml']);
    expect(files.map((f) => f.path)).toEqual(['policies/metadata/metadata.yaml', 'policies/local.yaml', 'policies/nested/more.yml']);
  });

  it('names the input and the packs that exist for an unknown default pack', async () => {
    const err = await readPolicySources(nodeFileSystem(ws), 'policies', ['default:nope']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('policies: there is no default pack "nope"');
    expect(JSON.stringify(err)).toContain(DEFAULT_PACK_NAMES.join(', '));
  });
});

describe('isPolicyTestFile', () => {
  it.each([
    ['a.test.yaml', SET, true],
    ['a.yaml', TEST, true],
    ['a.yaml', "kind: 'PolicyTest'\n", true],
    ['a.yaml', SET, false],
    ['a.yaml', '# kind: PolicyTest in a comment\n' + SET, false],
  ])('%s', (path, text, expected) => {
    expect(isPolicyTestFile(path, text)).toBe(expected);
  });
});
