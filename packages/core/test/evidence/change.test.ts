import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  analyzeChange,
  analyzeDiffChange,
  buildChangeEvidence,
  changeFromDiff,
  changeIdentifiers,
  coAuthorTrailers,
  type RawChangeData,
  type RawCommit,
  type RawReview,
} from '../../src/evidence/change.js';
import type { DiffFile } from '../../src/evidence/model.js';

const HEAD = 'e4c2a9b7d1f3e5a8c0b6d2f4a9e1c7b3d5f8a026';
const OLD = '3a7d2f91c0b84e6d5a1f9c2e8b7d4a6f0e3c5b19';

function raw(overrides: Partial<RawChangeData> = {}): RawChangeData {
  return {
    headSha: HEAD,
    pullRequest: {
      number: 7,
      title: 'Change',
      draft: false,
      baseRef: 'main',
      headRef: 'feature',
      author: { login: 'kaiya-dev', type: 'User', association: 'MEMBER' },
      labels: [],
    },
    files: [{ path: 'src/a.ts', status: 'modified', additions: 1, deletions: 1 }],
    reviews: [],
    commits: [],
    codeowners: null,
    notes: [],
    ...overrides,
  };
}
const review = (login: string, state: string, commitId = HEAD, type = 'User'): RawReview => ({ reviewer: { login, type }, state, commitId });
const commit = (sha: string, message: string, lines?: [number, number], author: RawCommit['author'] = { name: 'Kaiya', email: 'k@example.com', login: 'kaiya-dev' }): RawCommit => ({
  sha,
  message,
  author,
  committer: author,
  ...(lines === undefined ? {} : { additions: lines[0], deletions: lines[1] }),
});

describe('reviews and approvals (GitHub semantics)', () => {
  it('per reviewer the latest decision wins; a later comment keeps an approval; pending and ghost reviews do not count', () => {
    const parsed = analyzeChange(
      raw({
        codeowners: { path: '.github/CODEOWNERS', text: '* @Hubot @octo-org/team\n' },
        reviews: [
          review('hubot', 'CHANGES_REQUESTED', OLD),
          review('hubot', 'APPROVED'),
          review('hubot', 'COMMENTED'),
          review('dba', 'APPROVED', OLD),
          review('dba', 'CHANGES_REQUESTED'),
          review('alice', 'DISMISSED', OLD),
          review('carol', 'COMMENTED'),
          review('dave', 'PENDING'),
          review('renovate-approve[bot]', 'APPROVED', HEAD, 'User'),
          review('github-actions[bot]', 'APPROVED', HEAD, 'Bot'),
          { reviewer: null, state: 'APPROVED', commitId: HEAD },
        ],
      }),
    );
    const c = parsed.value;
    expect(c.reviews).toEqual([
      { reviewer: 'hubot', state: 'APPROVED', isBot: false, isCodeOwner: true, onHead: true },
      { reviewer: 'dba', state: 'CHANGES_REQUESTED', isBot: false, isCodeOwner: false, onHead: true },
      { reviewer: 'alice', state: 'DISMISSED', isBot: false, isCodeOwner: false, onHead: false },
      { reviewer: 'carol', state: 'COMMENTED', isBot: false, isCodeOwner: false, onHead: true },
      { reviewer: 'renovate-approve[bot]', state: 'APPROVED', isBot: true, isCodeOwner: false, onHead: true },
      { reviewer: 'github-actions[bot]', state: 'APPROVED', isBot: true, isCodeOwner: false, onHead: true },
    ]);
    expect(c.approvals).toEqual({ human: 1, bot: 2, codeOwner: 1, changesRequested: 1 });
    expect(parsed.warnings).toEqual([
      '1 changed file is owned by teams (e.g. src/a.ts): team membership needs organization read access, so approvals by team members are not counted as code-owner approvals',
      '1 review is by a deleted account: not counted',
    ]);
  });

  it('an approval of an older commit is still an approval, marked not on head', () => {
    const c = buildChangeEvidence(raw({ reviews: [review('hubot', 'APPROVED', OLD)] }));
    expect(c.reviews[0]).toMatchObject({ state: 'APPROVED', onHead: false });
    expect(c.approvals.human).toBe(1);
  });
});

describe('files: categories and code owners', () => {
  const files = [
    'db/migrations/0042_refunds.sql',
    'prisma/migrations/20261105/migration.sql',
    'services/api/alembic/versions/1a2b_refunds.py',
    'Dockerfile',
    'deploy/k8s/api.yaml',
    '.github/workflows/ci.yml',
    '.env',
    'src/config/index.ts',
    'src/app.ts',
  ].map((path) => ({ path, status: 'modified', additions: 2, deletions: 1 }));

  it('default categories (picomatch, dot files included); a rename out of a category still counts', () => {
    const c = buildChangeEvidence(raw({ files: [...files, { path: 'sql/archive/old.txt', previousPath: 'db/migrate/001_old.rb', status: 'renamed', additions: 0, deletions: 0 }] }));
    expect(Object.fromEntries(c.files.map((f) => [f.path, f.categories]))).toEqual({
      'db/migrations/0042_refunds.sql': ['migration'],
      'prisma/migrations/20261105/migration.sql': ['migration'],
      'services/api/alembic/versions/1a2b_refunds.py': ['migration'],
      Dockerfile: ['infra'],
      'deploy/k8s/api.yaml': ['infra', 'config'],
      '.github/workflows/ci.yml': ['infra', 'config'],
      '.env': ['config'],
      'src/config/index.ts': ['config'],
      'src/app.ts': [],
      'sql/archive/old.txt': ['migration'],
    });
    expect(c.categories).toEqual({ migration: 4, infra: 3, config: 4 });
    expect(c.totals).toEqual({ files: 10, additions: 18, deletions: 9 });
  });

  it('custom categories replace the defaults; every category has a count', () => {
    const c = buildChangeEvidence(raw({ files }), { categories: { secrets: ['**/*.pem', '**/.env*'], docs: ['**/*.md'] } });
    expect(c.categories).toEqual({ secrets: 1, docs: 0 });
  });

  it('owners per file, unowned files, and warnings for team and email owners', () => {
    const parsed = analyzeChange(
      raw({
        files: files.slice(0, 4).concat({ path: 'docs/guide.md', status: 'added', additions: 5, deletions: 0 }),
        codeowners: { path: 'CODEOWNERS', text: '*.sql @dba-lead @octo-org/dba\n/docs/ docs@example.com\nDockerfile @platform\n!/x/ @y\n' },
      }),
    );
    const c = parsed.value;
    expect(c.files.map((f) => f.owners)).toEqual([['@dba-lead', '@octo-org/dba'], ['@dba-lead', '@octo-org/dba'], [], ['@platform'], ['docs@example.com']]);
    expect(c.codeowners).toEqual({
      file: 'CODEOWNERS',
      ownedFiles: 4,
      unownedFiles: ['services/api/alembic/versions/1a2b_refunds.py'],
      owners: ['@dba-lead', '@octo-org/dba', '@platform', 'docs@example.com'],
    });
    expect(parsed.warnings).toEqual([
      'CODEOWNERS line 4: negation with ! is not supported in CODEOWNERS; the line is skipped',
      '2 changed files are owned by teams (e.g. db/migrations/0042_refunds.sql): team membership needs organization read access, so approvals by team members are not counted as code-owner approvals',
      '1 changed file is owned by email addresses (e.g. docs/guide.md): genops cannot map an email to a login, so approvals by those owners are not counted as code-owner approvals',
    ]);
  });

  it('without a CODEOWNERS file every file is unowned', () => {
    const c = buildChangeEvidence(raw());
    expect(c.codeowners).toEqual({ file: null, ownedFiles: 0, unownedFiles: ['src/a.ts'], owners: [] });
  });

  it('GitHub\'s totals win over the (possibly cut) file list; labels are de-duplicated', () => {
    const base = raw();
    const c = buildChangeEvidence({ ...base, pullRequest: { ...base.pullRequest, changedFiles: 3100, additions: 9000, deletions: 12, labels: ['a', 'b', 'a'] } });
    expect(c.totals).toEqual({ files: 3100, additions: 9000, deletions: 12 });
    expect(c.labels).toEqual(['a', 'b']);
  });
});

describe('AI authorship', () => {
  it('Co-authored-by trailers: any key case, name and email', () => {
    expect(
      coAuthorTrailers('Fix\n\nCo-Authored-By: Claude Opus 5 <noreply@anthropic.com>\nco-authored-by:Cursor Agent<cursoragent@cursor.com>\nCo-authored-by: no email\nSigned-off-by: A <a@b.c>'),
    ).toEqual([
      { name: 'Claude Opus 5', email: 'noreply@anthropic.com' },
      { name: 'Cursor Agent', email: 'cursoragent@cursor.com' },
    ]);
  });

  it('share by changed lines when every commit has line counts', () => {
    const c = buildChangeEvidence(
      raw({
        commits: [
          commit('1', 'Migration', [52, 2]),
          commit('2', 'Service\n\nCo-authored-by: Claude <noreply@anthropic.com>', [205, 0]),
          commit('3', 'Retry', [39, 10]),
        ],
      }),
    );
    expect(c.ai).toEqual({ agentAuthor: null, coAuthors: ['Claude'], aiCommits: 1, commits: 3, share: 205 / 308 });
  });

  it('coding agents as pull request author and commit author; Copilot noreply addresses by suffix', () => {
    const base = raw();
    const c = buildChangeEvidence({
      ...base,
      pullRequest: { ...base.pullRequest, author: { login: 'Copilot', type: 'Bot', association: 'NONE' } },
      commits: [
        commit('1', 'Initial plan', [0, 0], { name: 'copilot-swe-agent[bot]', email: '198982749+Copilot@users.noreply.github.com', login: 'copilot-swe-agent[bot]', type: 'Bot' }),
        commit('2', 'Implement', [30, 5], { name: 'Copilot', email: '198982749+Copilot@users.noreply.github.com' }),
        commit('3', 'Polish', [10, 0]),
      ],
    });
    expect(c.author).toEqual({ login: 'Copilot', type: 'Bot', association: 'NONE' });
    expect(c.ai).toEqual({ agentAuthor: 'Copilot', coAuthors: ['Copilot', 'copilot-swe-agent[bot]'], aiCommits: 2, commits: 3, share: 35 / 45 });
  });

  it('without line counts for every commit, the share counts commits, with a warning', () => {
    const parsed = analyzeChange(raw({ commits: [commit('1', 'a\n\nCo-authored-by: aider (gpt-4o) <noreply@aider.chat>'), commit('2', 'b', [3, 0])] }));
    expect(parsed.value.ai).toMatchObject({ coAuthors: ['aider (gpt-4o)'], aiCommits: 1, commits: 2, share: 0.5 });
    expect(parsed.warnings).toEqual(['line counts are known for 1 of 2 commits: ai.share is the share of AI-attributed commits, not of changed lines']);
  });

  it('agents and patterns are configurable: exact names, exact emails, and suffixes', () => {
    const c = buildChangeEvidence(
      raw({
        commits: [
          commit('1', 'x\n\nCo-authored-by: Internal Bot <bot@tools.example>', [1, 0]),
          commit('2', 'y\n\nCo-authored-by: Claude <noreply@anthropic.com>', [1, 0]),
          commit('3', 'z', [2, 0], { name: 'Helper', email: 'h@x.example', login: 'our-agent' }),
        ],
      }),
      { aiAgents: ['our-agent'], aiCoAuthorPatterns: ['@tools.example'] },
    );
    expect(c.ai).toEqual({ agentAuthor: null, coAuthors: ['Internal Bot', 'our-agent'], aiCommits: 2, commits: 3, share: 0.75 });
  });

  it('no commits: share 0', () => {
    expect(buildChangeEvidence(raw()).ai).toEqual({ agentAuthor: null, coAuthors: [], aiCommits: 0, commits: 0, share: 0 });
  });
});

describe('limits of the evidence schema', () => {
  it('too many categories or a bad category name is INPUT_INVALID', () => {
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`c${String(i)}`, ['**/*.x']]));
    expect(() => buildChangeEvidence(raw(), { categories: many })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', message: '33 change categories, more than 32' }));
    expect(() => buildChangeEvidence(raw(), { categories: { '': ['**'] } })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });

  it('co-author names are cut at 256 characters', () => {
    const long = 'Claude '.repeat(50);
    const c = buildChangeEvidence(raw({ commits: [commit('1', `x\n\nCo-authored-by: ${long} <noreply@anthropic.com>`, [1, 0])] }));
    expect(c.ai.coAuthors[0]).toHaveLength(256);
    expect(c.ai.coAuthors[0]?.endsWith('…')).toBe(true);
  });

  it('CODEOWNERS lines: an owner longer than any login or email is invalid; more than 100 owners keep the first 100', () => {
    const owners = Array.from({ length: 105 }, (_, i) => `@user${String(i)}`).join(' ');
    const parsed = analyzeChange(raw({ codeowners: { path: 'CODEOWNERS', text: `* ${owners}\n/src/ @${'a'.repeat(300)}\n` } }));
    expect(parsed.value.files[0]?.owners).toHaveLength(100);
    expect(parsed.warnings.slice(0, 2)).toEqual([
      'CODEOWNERS line 1: 105 owners; genops keeps the first 100',
      expect.stringMatching(/^CODEOWNERS line 2: "@a{300}" is not an owner/),
    ]);
  });
});

describe('changeFromDiff', () => {
  const diff: DiffFile[] = [
    { path: 'db/migrations/0042_refunds.sql', status: 'added', additions: 42, deletions: 0, addedLines: [1, 2] },
    { path: 'src/refunds.ts', previousPath: 'src/refund.ts', status: 'renamed', additions: 3, deletions: 1, addedLines: [4] },
  ];

  it('files, categories and owners; no reviews, author or labels', () => {
    const parsed = analyzeDiffChange(diff, { path: '.github/CODEOWNERS', text: '*.sql @dba-lead\n' });
    expect(parsed.format).toBe('unified-diff');
    expect(parsed.value).toEqual({
      source: 'diff',
      labels: [],
      files: [
        { path: 'db/migrations/0042_refunds.sql', status: 'added', additions: 42, deletions: 0, owners: ['@dba-lead'], categories: ['migration'] },
        { path: 'src/refunds.ts', previousPath: 'src/refund.ts', status: 'renamed', additions: 3, deletions: 1, owners: [], categories: [] },
      ],
      totals: { files: 2, additions: 45, deletions: 1 },
      categories: { migration: 1, infra: 0, config: 0 },
      reviews: [],
      approvals: { human: 0, bot: 0, codeOwner: 0, changesRequested: 0 },
      codeowners: { file: '.github/CODEOWNERS', ownedFiles: 1, unownedFiles: ['src/refunds.ts'], owners: ['@dba-lead'] },
      ai: { agentAuthor: null, coAuthors: [], aiCommits: 0, commits: 0, share: 0 },
    });
    expect(parsed.warnings).toEqual([
      'read from a diff only: reviews, labels, the author and AI authorship are unknown (ai.share is 0 for lack of commits, not a finding)',
    ]);
    expect(changeFromDiff(diff, null).codeowners.file).toBeNull();
  });

  it('identifiers: those used by the most files first, then by their best rank in a file', () => {
    const withIds: DiffFile[] = [
      { path: 'src/pool.ts', status: 'modified', additions: 9, deletions: 0, addedLines: [1], identifiers: ['acquire', 'poolSize', 'release'] },
      { path: 'src/db.ts', status: 'modified', additions: 3, deletions: 0, addedLines: [1], identifiers: ['timeoutMs', 'poolSize'] },
      { path: 'src/cfg.ts', status: 'modified', additions: 2, deletions: 0, addedLines: [1], identifiers: ['timeoutMs', 'x'.repeat(129)] },
    ];
    expect(changeIdentifiers(withIds)).toEqual(['timeoutMs', 'poolSize', 'acquire', 'release']);
    expect(changeFromDiff(withIds, null).identifiers).toEqual(['timeoutMs', 'poolSize', 'acquire', 'release']);
    // None read: the field is left out.
    expect('identifiers' in changeFromDiff(diff, null)).toBe(false);
    const many: DiffFile[] = Array.from({ length: 5 }, (_, f) => ({
      path: `f${String(f)}.ts`,
      status: 'added' as const,
      additions: 50,
      deletions: 0,
      addedLines: [],
      identifiers: Array.from({ length: 50 }, (_, i) => `id_${String(f)}_${String(i)}`),
    }));
    expect(changeIdentifiers(many)).toHaveLength(200);
  });
});

describe('properties', () => {
  const login = fc.constantFrom('a', 'b', 'c', 'B', 'x[bot]');
  const state = fc.constantFrom('APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED', 'PENDING', 'WEIRD');
  const reviewArb = fc.record({ reviewer: fc.option(fc.record({ login, type: fc.constantFrom('User', 'Bot') }), { nil: null }), state, commitId: fc.constantFrom(HEAD, OLD) });

  it('one effective review per reviewer (logins case-insensitive), approvals add up, share in [0, 1]', () => {
    const commitArb = fc.record({ sha: fc.string(), message: fc.string(), author: fc.record({ email: fc.constantFrom('noreply@anthropic.com', 'a@b.c') }), committer: fc.constant({}) });
    fc.assert(
      fc.property(fc.array(reviewArb, { maxLength: 15 }), fc.array(commitArb, { maxLength: 5 }), (reviews, commits) => {
        const c = buildChangeEvidence(raw({ reviews, commits }));
        const reviewers = c.reviews.map((r) => r.reviewer.toLowerCase());
        expect(new Set(reviewers).size).toBe(reviewers.length);
        expect(c.approvals.human + c.approvals.bot).toBe(c.reviews.filter((r) => r.state === 'APPROVED').length);
        expect(c.ai.share).toBeGreaterThanOrEqual(0);
        expect(c.ai.share).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200, seed: 42 },
    );
  });
});
