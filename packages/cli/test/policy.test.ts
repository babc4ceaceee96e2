/**
 * `genops policy test` and `genops policy lint` through runCli, on the core policy fixtures.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, runCli } from '../src/cli.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixtures = relative(process.cwd(), join(here, '..', '..', 'core', 'test', 'policy', 'fixtures'));

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n'), lines: out };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-cli-policy-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('genops policy test', () => {
  it('prints PASS per case and a summary; exit 0', async () => {
    const r = await cli('policy', 'test', join(fixtures, 'suite'));
    expect(r.err).toBe('');
    expect(r.code).toBe(EXIT.ok);
    expect(r.lines).toEqual([
      'PASS friday evening production deploy is denied',
      'PASS wednesday deploy is allowed',
      'PASS staging on friday evening is allowed',
      'PASS an approved hotfix exception excuses friday',
      'PASS critical risk is recorded by the audit-mode rule only',
      'PASS an untidy branch name warns',
      '6 passed, 0 failed',
    ]);
  });

  it('prints FAIL with expected and actual; exit 1', async () => {
    const r = await cli('policy', 'test', join(fixtures, 'failing'));
    expect(r.code).toBe(EXIT.rejected);
    expect(r.lines).toContain('FAIL expects the wrong thing on purpose: expected allow [], got deny [no-friday-deployments]');
    expect(r.lines.at(-1)).toBe('1 passed, 1 failed');
    expect(r.err).toContain('1 of 2 policy test case(s) failed');
  });

  it('a bad test file exits 2 naming the file and line', async () => {
    const r = await cli('policy', 'test', join(fixtures, 'broken'));
    expect(r.code).toBe(EXIT.config);
    expect(r.err).toMatch(/FILE_INVALID: 1 problem\(s\) in policy files:/);
    expect(r.err).toMatch(/broken\/bad\.test\.yaml:6: spec\.cases\[0\]: missing required property "expect"/);
  });

  it('a missing directory exits 2', async () => {
    const r = await cli('policy', 'test', join(dir, 'nope'));
    expect(r.code).toBe(EXIT.config);
    expect(r.err).toContain('FILE_NOT_FOUND');
  });
});

describe('genops policy lint', () => {
  it('loads a clean directory and prints the bundle digest', async () => {
    const clean = join(dir, 'clean');
    await mkdir(clean);
    await copyFile(join(fixtures, 'baseline.yaml'), join(clean, 'baseline.yaml'));
    const r = await cli('policy', 'lint', clean);
    expect(r.code).toBe(EXIT.ok);
    expect(r.lines[0]).toBe('ok: 1 file(s), 1 policy set(s), 5 rule(s), 0 exception(s), 0 test document(s)');
    expect(r.lines[1]).toMatch(/^bundle sha256:[0-9a-f]{64}$/);
  });

  it('lists every problem with file:line:column and exits 2', async () => {
    const bad = join(dir, 'bad');
    await mkdir(bad);
    await writeFile(
      join(bad, 'p.yaml'),
      ['apiVersion: genops.dev/v1', 'kind: PolicySet', 'metadata: { name: bad }', 'spec:', '  rules:', '    - id: r1', '      title: T', '      message: M', '      decision: deny', '      expression: evidence.chang.approvals.human >= 1.0'].join('\n'),
    );
    const r = await cli('policy', 'lint', bad);
    expect(r.code).toBe(EXIT.config);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/p\.yaml:10:28: spec\.rules\[0\]\.expression: no field "chang"/);
    expect(r.err).toContain('1 problem(s) in 1 policy file(s)');
  });
});
