/**
 * The GitHub API fixtures of fixtures/evidence/github (pull request octo-org/payments-api#128:
 * files, reviews, commits, CODEOWNERS, deployments) as a seed for the fake GitHub, and the run
 * context of a job gating that pull request. Used by core's change-data tests, the
 * evidence-collect action tests and the demo.
 */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- fixture JSON is GitHub's response shapes, checked against the OpenAPI description by the tests */
import { readdirSync, readFileSync } from 'node:fs';
import type { RunContext } from '@genops/core';
import type { PullSeed, RepoSeed } from './fake-github/index.js';

const DIR = new URL('../../../fixtures/evidence/github/', import.meta.url);
/** A file of fixtures/evidence/github/, as text / as JSON. */
export const githubFixtureText = (name: string): string => readFileSync(new URL(name, DIR), 'utf8');
export const githubFixtureJson = (name: string): any => JSON.parse(githubFixtureText(name));

/** Pull request octo-org/payments-api#128 of fixtures/evidence/github (see its README). */
export const FIXTURE_PULL = { fullName: 'octo-org/payments-api', number: 128, head: 'e4c2a9b7d1f3e5a8c0b6d2f4a9e1c7b3d5f8a026', base: '9f2c1e4a7b3d5f6e8a0c2b4d6f8e0a1c3e5b7d9f' } as const;
const FULL_NAME = FIXTURE_PULL.fullName;
const HEAD = FIXTURE_PULL.head;
const BASE = FIXTURE_PULL.base;

const user = (u: any): { login: string; type: 'User' | 'Bot' | 'Organization'; id: number } => ({ login: u.login, type: u.type, id: u.id });

/** The fixture responses, turned back into the fake's seed. */
export function fixturePullSeed(): PullSeed {
  const pull = githubFixtureJson('pull.json');
  const details = new Map<string, any>();
  for (const name of readdirSync(DIR).filter((n) => n.startsWith('commit.'))) {
    const c = githubFixtureJson(name);
    details.set(c.sha, c);
  }
  return {
    number: pull.number,
    title: pull.title,
    body: pull.body,
    draft: pull.draft,
    user: user(pull.user),
    authorAssociation: pull.author_association,
    head: { ref: pull.head.ref, sha: pull.head.sha },
    base: { ref: pull.base.ref, sha: pull.base.sha },
    labels: pull.labels.map((l: any) => l.name),
    files: githubFixtureJson('files.json').map((f: any) => ({
      filename: f.filename,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      sha: f.sha,
      ...(f.patch === undefined ? {} : { patch: f.patch }),
      ...(f.previous_filename === undefined ? {} : { previousFilename: f.previous_filename }),
    })),
    reviews: githubFixtureJson('reviews.json').map((r: any) => ({
      user: user(r.user),
      state: r.state,
      body: r.body,
      commitId: r.commit_id,
      submittedAt: r.submitted_at,
      authorAssociation: r.author_association,
    })),
    commits: githubFixtureJson('commits.json').map((c: any) => {
      const d = details.get(c.sha);
      const person = (git: any, account: any) => ({ name: git.name, email: git.email, date: git.date, user: account === null ? null : user(account) });
      return {
        sha: c.sha,
        message: c.commit.message,
        author: person(c.commit.author, c.author),
        committer: person(c.commit.committer, c.committer),
        parents: c.parents.map((p: any) => p.sha),
        files: d.files.map((f: any) => ({ filename: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, sha: f.sha })),
        additions: d.stats.additions,
        deletions: d.stats.deletions,
      };
    }),
  };
}

export function fixtureRepoSeed(overrides: Partial<RepoSeed> = {}): RepoSeed {
  const statuses = githubFixtureJson('deployment-statuses.json');
  const deployments = [...githubFixtureJson('deployments.production.json')].reverse().map((d: any) => ({
    ref: d.ref,
    sha: d.sha,
    environment: d.environment,
    createdAt: d.created_at,
    creator: user(d.creator),
    statuses: [...statuses[String(d.id)]].reverse().map((s: any) => ({
      state: s.state,
      description: s.description,
      environmentUrl: s.environment_url,
      createdAt: s.created_at,
    })),
  }));
  return {
    branches: { main: { '.github/CODEOWNERS': githubFixtureText('CODEOWNERS'), 'README.md': '# payments-api\n' } },
    pulls: [fixturePullSeed()],
    deployments: [...deployments, { ref: 'main', sha: BASE, environment: 'staging', statuses: [{ state: 'success' }] }],
    ...overrides,
  };
}

/** The run context of a pull_request (or push) run gating the fixture pull request, API at `gh`. */
export function fixturePullRunContext(gh: { url: string }, pullRequest = true): RunContext {
  return {
    eventName: pullRequest ? 'pull_request' : 'push',
    repository: { owner: 'octo-org', repo: 'payments-api', fullName: FULL_NAME },
    serverUrl: 'https://github.com',
    apiUrl: gh.url,
    runId: 9001,
    runAttempt: 1,
    workflowRef: `${FULL_NAME}/.github/workflows/gate.yml@refs/pull/128/merge`,
    actor: 'kaiya-dev',
    ref: pullRequest ? 'refs/pull/128/merge' : 'refs/heads/main',
    sha: '1111111111111111111111111111111111111111',
    subjectSha: HEAD,
    ...(pullRequest
      ? {
          pullRequest: {
            number: 128,
            headSha: HEAD,
            baseSha: BASE,
            headRef: 'feature/refunds',
            baseRef: 'main',
            headRepoFullName: FULL_NAME,
            isFork: false,
            author: 'kaiya-dev',
            draft: false,
            labels: ['database', 'needs-dba-review'],
          },
        }
      : {}),
    isReadOnlyToken: false,
  };
}

