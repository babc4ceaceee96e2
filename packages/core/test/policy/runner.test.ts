/**
 * runPolicyTests on the fixture suite: cases pass, a wrong expectation fails with a readable message.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { ConfigError } from '../../src/errors.js';
import { relativeTo, runPolicyTests } from '../../src/policy/index.js';
import { fixture } from './helpers.js';

const read = (path: string) => {
  if (!path.startsWith('fixtures/') || !existsSync(new URL(path, import.meta.url))) throw new ConfigError('FILE_NOT_FOUND', `no such file: ${path}`, { file: path });
  return fixture(path.slice('fixtures/'.length));
};

describe('runPolicyTests', () => {
  it('runs every case of the fixture suite', () => {
    const { cases } = runPolicyTests([fixture('suite/baseline.test.yaml')], read);
    expect(cases.map((c) => [c.name, c.passed, c.message])).toEqual([
      ['friday evening production deploy is denied', true, ''],
      ['wednesday deploy is allowed', true, ''],
      ['staging on friday evening is allowed', true, ''],
      ['an approved hotfix exception excuses friday', true, ''],
      ['critical risk is recorded by the audit-mode rule only', true, ''],
      ['an untidy branch name warns', true, ''],
    ]);
    expect(cases[0]).toMatchObject({ file: 'fixtures/suite/baseline.test.yaml', expected: { decision: 'deny', violated: ['no-friday-deployments'] }, actual: { decision: 'deny', violated: ['no-friday-deployments'], errors: [] } });
  });

  it('fails a case whose expectation differs, saying what was expected and what came', () => {
    const { cases } = runPolicyTests([fixture('failing/wrong.test.yaml')], read);
    expect(cases.map((c) => c.passed)).toEqual([true, false]);
    expect(cases[1]!.message).toBe('expected allow [], got deny [no-friday-deployments]');
  });

  it('a bad test file is a FILE_INVALID ConfigError', () => {
    expect(() => runPolicyTests([fixture('broken/bad.test.yaml')], read)).toThrow(/missing required property "expect"/);
  });

  it('resolves paths relative to the test file', () => {
    expect(relativeTo('policies/tests/a.test.yaml', '../base.yaml')).toBe('policies/base.yaml');
    expect(relativeTo('a.test.yaml', 'x/y.json')).toBe('x/y.json');
  });
});
