/** `github:OWNER/REPO[/PATH][@REF]` policy specs (github/policy-repo.ts); the reads are tested in actions/policy-gate. */
import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/errors.js';
import { parseRepoPolicySpec } from '../../src/github/policy-repo.js';

describe('parseRepoPolicySpec', () => {
  it.each([
    ['github:acme/policies', { owner: 'acme', repo: 'policies', path: '', ref: 'HEAD' }],
    ['github:acme/policies@v2', { owner: 'acme', repo: 'policies', path: '', ref: 'v2' }],
    ['github:acme/policies/gates/exceptions/@main', { owner: 'acme', repo: 'policies', path: 'gates/exceptions', ref: 'main' }],
    ['github:acme/policy.repo_1/x.yaml@0123456789abcdef0123456789abcdef01234567', { owner: 'acme', repo: 'policy.repo_1', path: 'x.yaml', ref: '0123456789abcdef0123456789abcdef01234567' }],
  ])('%s', (spec, expected) => {
    expect(parseRepoPolicySpec(spec, 'policies')).toEqual(expected);
  });

  it('leaves other specs to the workspace reader', () => {
    expect(parseRepoPolicySpec('policies/', 'policies')).toBeUndefined();
    expect(parseRepoPolicySpec('default:metadata', 'policies')).toBeUndefined();
  });

  it.each(['github:acme', 'github:acme/', 'github:-acme/p', 'github:acme/p/../secrets', 'github:acme/p@', 'github:acme/p@a@b', 'github:acme/p q'])('refuses %s, naming the input and the form', (spec) => {
    let err: unknown;
    try {
      parseRepoPolicySpec(spec, 'policies');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('INPUT_INVALID');
    expect((err as ConfigError).message).toContain('policies: ');
    expect(JSON.stringify(err)).toContain('github:OWNER/REPO[/PATH][@REF]');
  });
});
