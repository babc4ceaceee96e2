import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import ignore from 'ignore';
import { compilePattern, matchesPath, matchingRule, ownerKind, ownersOf, parseCodeowners } from '../../src/evidence/codeowners.js';
import { fixtureText } from './helpers.js';

// The example file of GitHub's "About code owners" page (docs.github.com), first variant of /apps/github.
const GITHUB_DOCS_EXAMPLE = `# This is a comment.
# Each line is a file pattern followed by one or more owners.

# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
# @global-owner1 and @global-owner2 will be requested for
# review when someone opens a pull request.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most
# precedence. When someone opens a pull request that only
# modifies JS files, only @js-owner and not the global
# owner(s) will be requested for a review.
*.js    @js-owner #This is an inline comment.

# You can also use email addresses if you prefer. They'll be
# used to look up users just like we do for commit author
# emails.
*.go docs@example.com

# Teams can be specified as code owners as well. Teams should
# be identified in the format @org/team-name. Teams must have
# explicit write access to the repository. In this example,
# the octocats team in the octo-org organization owns all .txt files.
*.txt @octo-org/octocats

# In this example, @doctocat owns any files in the build/logs
# directory at the root of the repository and any of its
# subdirectories.
/build/logs/ @doctocat

# The \`docs/*\` pattern will match files like
# \`docs/getting-started.md\` but not further nested files like
# \`docs/build-app/troubleshooting.md\`.
docs/*  docs@example.com

# In this example, @octocat owns any file in an apps directory
# anywhere in your repository.
apps/ @octocat

# In this example, @doctocat owns any file in the \`/docs\`
# directory in the root of your repository and any of its
# subdirectories.
/docs/ @doctocat

# In this example, any change inside the \`/scripts\` directory
# will require approval from @doctocat or @octocat.
/scripts/ @doctocat @octocat

# In this example, @octocat owns any file in a \`/logs\` directory such as
# \`/build/logs\`, \`/scripts/logs\`, and \`/deeply/nested/logs\`. Any changes
# in a \`/logs\` directory will require approval from @octocat.
**/logs @octocat

# In this example, @octocat owns any file in the \`/apps\`
# directory in the root of your repository except for the \`/apps/github\`
# subdirectory, as its owners are left empty. Without an owner, changes
# to \`apps/github\` can be made with the approval of any user who has
# write access to the repository.
/apps/ @octocat
/apps/github
`;

describe('parseCodeowners / ownersOf: GitHub\'s documented example', () => {
  const rules = parseCodeowners(GITHUB_DOCS_EXAMPLE, '.github/CODEOWNERS');

  it('reads every rule, inline comment and owner-less line included, with no warnings', () => {
    expect(rules.warnings).toEqual([]);
    expect(rules.rules.map((r) => r.pattern)).toEqual([
      '*', '*.js', '*.go', '*.txt', '/build/logs/', 'docs/*', 'apps/', '/docs/', '/scripts/', '**/logs', '/apps/', '/apps/github',
    ]);
    expect(rules.rules[1]).toMatchObject({ owners: ['@js-owner'], line: 14 });
    expect(rules.rules[11]).toMatchObject({ owners: [], line: 61 });
  });

  it.each([
    ['README.md', ['@global-owner1', '@global-owner2']],
    ['src/deep/main.js', ['@js-owner']],
    ['main.go', ['docs@example.com']],
    ['notes/a.txt', ['@octo-org/octocats']],
    ['build/logs/today.log', ['@octocat']], // **/logs comes after /build/logs/
    ['docs/getting-started.md', ['@doctocat']], // /docs/ comes after docs/*
    ['docs/build-app/troubleshooting.md', ['@doctocat']],
    ['x/docs/a.md', ['@global-owner1', '@global-owner2']], // /docs/ and docs/* are anchored
    ['scripts/run.sh', ['@doctocat', '@octocat']],
    ['scripts/logs/run.log', ['@octocat']],
    ['deeply/nested/logs/x.log', ['@octocat']],
    ['logs', ['@octocat']],
    ['x/apps/a.go', ['@octocat']], // apps/ anywhere, after *.go
    ['apps/web/index.js', ['@octocat']],
    ['apps/github', []], // owner-less rule: unowned
    ['apps/github/proj/main.go', []],
  ])('%s -> %j', (path, owners) => {
    expect(ownersOf(rules, path)).toEqual(owners);
  });

  it('the second /apps/github variant gives that folder its own owner', () => {
    const variant = parseCodeowners('/apps/ @octocat\n/apps/github @doctocat\n', 'CODEOWNERS');
    expect(ownersOf(variant, 'apps/github/proj/main.go')).toEqual(['@doctocat']);
    expect(ownersOf(variant, 'apps/other/x.go')).toEqual(['@octocat']);
  });
});

describe('pattern semantics', () => {
  const owns = (pattern: string, path: string): boolean => matchesPath(compilePattern(pattern), path.split('/'));

  it.each([
    // docs/*: direct children only (GitHub's exception to gitignore)
    ['docs/*', 'docs/getting-started.md', true],
    ['docs/*', 'docs/build-app/troubleshooting.md', false],
    ['docs/*', 'src/docs/a.md', false],
    // /docs/: the root folder and everything below, not a file named docs
    ['/docs/', 'docs/a.md', true],
    ['/docs/', 'docs/x/y.md', true],
    ['/docs/', 'src/docs/a.md', false],
    ['/docs/', 'docs', false],
    // /docs: a file or a folder at the root
    ['/docs', 'docs', true],
    ['/docs', 'docs/x/y.md', true],
    // *.js: any depth, and anything inside a folder whose name ends in .js
    ['*.js', 'a.js', true],
    ['*.js', 'src/deep/main.js', true],
    ['*.js', 'x.js/inner.txt', true],
    ['*.js', 'a.jsx', false],
    // **/logs and apps/
    ['**/logs', 'logs', true],
    ['**/logs', 'build/logs/x.log', true],
    ['**/logs', 'catalog/logs.txt', false],
    ['apps/', 'apps/a.go', true],
    ['apps/', 'x/apps/a.go', true],
    ['apps/', 'apps', false],
    // a middle slash anchors; ** in the middle spans folders; a trailing /** is "inside"
    ['src/api', 'lib/src/api/x.ts', false],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b/c.txt', true],
    ['lib/**', 'lib/a/b.ts', true],
    ['lib/**', 'lib', false],
    ['?.md', 'a.md', true],
    ['?.md', 'ab.md', false],
    ['*', '.github/workflows/ci.yml', true],
    ['*.MD', 'README.md', false], // case sensitive
    ['My\\ Docs/', 'My Docs/a.md', true], // escaped space
  ])('%s owns %s: %s', (pattern, path, expected) => {
    expect(owns(pattern, path)).toBe(expected);
  });
});

describe('invalid lines: skipped with their line number, like GitHub', () => {
  it('negation, character ranges, an escaped #, and bad owners', () => {
    const text = [
      '* @org/all', // 1
      '!/vendor/ @octocat', // 2
      '/src/[ab]/ @octocat', // 3
      '\\#notes/ @octocat', // 4
      'docs/ octocat', // 5
      '/lib/ @octocat @bad!name', // 6
      '/ok/ @octocat', // 7
      '/ @octocat', // 8
    ].join('\n');
    const rules = parseCodeowners(text, 'CODEOWNERS');
    expect(rules.rules.map((r) => [r.pattern, r.line])).toEqual([
      ['*', 1],
      ['/ok/', 7],
    ]);
    expect(rules.warnings).toEqual([
      'CODEOWNERS line 2: negation with ! is not supported in CODEOWNERS; the line is skipped',
      'CODEOWNERS line 3: character ranges with [ ] are not supported in CODEOWNERS; the line is skipped',
      'CODEOWNERS line 4: GitHub does not support escaping a leading # with \\; the line is skipped',
      'CODEOWNERS line 5: "octocat" is not an owner (expected @user, @org/team or an email address); the line is skipped',
      'CODEOWNERS line 6: "@bad!name" is not an owner (expected @user, @org/team or an email address); the line is skipped',
      'CODEOWNERS line 8: "/" matches no path; the line is skipped',
    ]);
  });

  it('a file of 3 MB or more is not loaded at all', () => {
    const big = `* @octocat\n${'# padding\n'.repeat(320_000)}`;
    const rules = parseCodeowners(big, '.github/CODEOWNERS');
    expect(rules.rules).toEqual([]);
    expect(rules.warnings).toEqual(['.github/CODEOWNERS is 3 MB or larger: GitHub does not load it, so no path has a code owner']);
  });

  it('CRLF line endings and owner kinds', () => {
    const rules = parseCodeowners('*.ts @a\r\n*.md @org/docs-team\r\n', 'CODEOWNERS');
    expect(ownersOf(rules, 'x/y.ts')).toEqual(['@a']);
    expect(matchingRule(rules, 'README.md')?.line).toBe(2);
    expect([ownerKind('@octocat'), ownerKind('@octo-org/team_1.x'), ownerKind('a.b@example.com'), ownerKind('octocat')]).toEqual([
      'user', 'team', 'email', undefined,
    ]);
  });
});

describe('the fixture CODEOWNERS (fixtures/evidence/github/CODEOWNERS)', () => {
  const rules = parseCodeowners(fixtureText('github/CODEOWNERS'), '.github/CODEOWNERS');

  it('has 9 rules and one skipped negation line', () => {
    expect(rules.rules).toHaveLength(9);
    expect(rules.rules.find((r) => r.pattern === '/config/')).toMatchObject({ owners: [], line: 22 });
    expect(rules.rules.find((r) => r.pattern === '/.github/workflows/')?.owners).toEqual(['@octo-org/platform', '@security-lead']);
    expect(rules.warnings).toEqual(['.github/CODEOWNERS line 25: negation with ! is not supported in CODEOWNERS; the line is skipped']);
  });

  it.each([
    ['db/migrations/20261105_add_refunds.sql', ['@dba-lead']],
    ['db/seeds/refunds.sql', ['@octo-org/dba', '@dba-lead']],
    ['src/refunds/service.ts', ['@mona-lisa']],
    ['src/payments/retry.ts', ['@hubot', '@octo-org/payments-core']],
    ['config/retry.yaml', []],
    ['infra/terraform/rds.tf', ['@octo-org/platform']],
    ['.github/workflows/ci.yml', ['@octo-org/platform', '@security-lead']],
    ['docs/refunds.md', ['docs@octo-org.example']],
    ['docs/adr/0001.md', ['@octo-org/payments-maintainers']],
    ['vendor/lib.js', ['@octo-org/payments-maintainers']],
    ['README.md', ['@octo-org/payments-maintainers']],
  ])('%s -> %j', (path, owners) => {
    expect(ownersOf(rules, path)).toEqual(owners);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const segment = fc.constantFrom('a', 'b', 'ab', 'ba', 'aa', '.a', 'a.b');
const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
const patternSegment = fc.constantFrom('a', 'b', 'ab', '*', 'a*', '*b', '?', '?b', '**', '.a', '*.b');
const pattern = fc
  .tuple(fc.boolean(), fc.array(patternSegment, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([lead, segs, trail]) => `${lead ? '/' : ''}${segs.join('/')}${trail ? '/' : ''}`);
const owner = fc.constantFrom('@a', '@b', '@org/t', 'x@example.com');
const rule = fc.tuple(pattern, fc.array(owner, { maxLength: 2 }));
const rulesText = (rs: readonly (readonly [string, readonly string[]])[]): string => rs.map(([p, o]) => [p, ...o].join(' ')).join('\n');

describe('properties', () => {
  it('never throws on any text, and ownersOf never throws on any path', () => {
    const lines = fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), rule.map((r) => rulesText([r]))), { maxLength: 20 });
    fc.assert(
      fc.property(lines, fc.string({ maxLength: 30 }), (ls, p) => {
        const rules = parseCodeowners(ls.join('\n'), 'CODEOWNERS');
        const owners = ownersOf(rules, p);
        expect(Array.isArray(owners)).toBe(true);
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('last match wins: a rule appended at the end decides every path it matches, and changes no other', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 8 }), rule, path, (before, last, p) => {
        const old = parseCodeowners(rulesText(before), 'CODEOWNERS');
        const next = parseCodeowners(rulesText([...before, last]), 'CODEOWNERS');
        const matchesLast = matchesPath(compilePattern(last[0]), p.split('/'));
        expect(ownersOf(next, p)).toEqual(matchesLast ? last[1] : ownersOf(old, p));
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('agrees with gitignore (the `ignore` package) except on a final `*` segment, GitHub\'s documented exception', () => {
    fc.assert(
      fc.property(pattern, path, (p, file) => {
        fc.pre(!p.replace(/\/+$/, '').endsWith('/*') && p.replace(/\/+$/, '') !== '*');
        const gitignore = ignore().add(p).ignores(file);
        expect(matchesPath(compilePattern(p), file.split('/'))).toBe(gitignore);
      }),
      { numRuns: 500, seed: 42 },
    );
  });

  it('matching stays fast: no regular expressions to backtrack, one pass per path', () => {
    const hostile = parseCodeowners(`${'*a*a*a*a*a*a*a*a*b @x\n'.repeat(200)}**/**/**/z/**/y @y`, 'CODEOWNERS');
    // 255 bytes is the usual limit of one file name.
    const longPath = `${'a'.repeat(255)}/${'a/'.repeat(60)}c`;
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) ownersOf(hostile, longPath);
    expect(performance.now() - t0).toBeLessThan(1500);

    // A large pull request against a large file: 3,000 paths, 300 rules.
    const big = parseCodeowners(Array.from({ length: 300 }, (_, i) => `/services/svc${String(i)}/ @team${String(i % 7)}\n*.proto @api\n`).join(''), 'CODEOWNERS');
    const paths = Array.from({ length: 3000 }, (_, i) => `services/svc${String(i % 400)}/src/module${String(i)}/file${String(i)}.ts`);
    const t1 = performance.now();
    const owned = paths.filter((p) => ownersOf(big, p).length > 0).length;
    expect(owned).toBe(2300);
    expect(performance.now() - t1).toBeLessThan(1500);
  });
});
