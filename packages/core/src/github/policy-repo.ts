/**
 * Policies and exceptions from another repository (an organisation's policy repo), read through
 * the Git Data API at one commit: `github:OWNER/REPO[/PATH][@REF]` in the `policies` input.
 *
 * - REF (a branch, tag or sha; default HEAD, the default branch) is resolved to a commit once,
 *   and every file is read from that commit's tree, so a push to the policy repo mid-run cannot
 *   mix two versions. The commit is in every file's path (`github:acme/policies@<sha>/x.yaml`),
 *   so errors name it and the bundle digest changes with it.
 * - Every *.yml / *.yaml under PATH is read, PolicyTest files left out (isPolicyTestFile), at most
 *   MAX_REPO_POLICY_FILES of at most MAX_POLICY_FILE_BYTES each. A truncated tree listing is an
 *   error, not a partial read: a policy left out would let a change pass that it should block.
 * - Each blob's bytes are checked against its git object id (SHA-1 of `blob <size>\0<bytes>`).
 * - The token needs `contents: read` on that repository; GITHUB_TOKEN has it only for the
 *   workflow's own repository, so a private policy repo wants a GitHub App or fine-grained token
 *   (`policies-token`).
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { sourceFileOf, type SourceFile } from '../evidence/source.js';
import { isPolicyTestFile, MAX_POLICY_FILE_BYTES, POLICY_YAML_FILE } from '../policy/sources.js';
import { PERMISSIONS_BY_OPERATION, withApi } from './api-errors.js';
import type { GitHubClient } from './client.js';

export const REPO_POLICY_PREFIX = 'github:';
export const MAX_REPO_POLICY_FILES = 500;
const SPEC = /^github:([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})?)\/([A-Za-z0-9._-]{1,100})((?:\/[^@\s]+)*)?(?:@([^\s@]+))?$/;

export interface RepoPolicySpec {
  owner: string;
  repo: string;
  /** Folder or file inside the repository, without leading or trailing `/`; '' for the whole repository. */
  path: string;
  ref: string;
}

/** The spec, or undefined when `spec` is not a `github:` one. A malformed `github:` spec is an INPUT_INVALID naming `input`. */
export function parseRepoPolicySpec(spec: string, input: string): RepoPolicySpec | undefined {
  if (!spec.startsWith(REPO_POLICY_PREFIX)) return undefined;
  const m = SPEC.exec(spec);
  const path = (m?.[3] ?? '').replace(/^\/+|\/+$/g, '');
  if (m === null || path.split('/').some((p) => p === '..' || p === '.')) {
    throw new ConfigError('INPUT_INVALID', `${input}: ${JSON.stringify(spec.slice(0, 200))} is not a policy repository reference`, {
      input,
      expected: 'github:OWNER/REPO[/PATH][@REF], e.g. github:acme/policies/exceptions@main',
      hint: 'Name the repository, optionally a folder or file in it and a branch, tag or commit sha.',
    });
  }
  return { owner: m[1] ?? '', repo: m[2] ?? '', path, ref: m[4] ?? 'HEAD' };
}

function gitBlobId(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${String(bytes.length)}\0`).update(bytes).digest('hex');
}

/** Reads the policy documents a `github:` spec names, at one commit. */
export async function readRepoPolicySources(client: GitHubClient, spec: RepoPolicySpec, input: string): Promise<SourceFile[]> {
  const { owner, repo } = spec;
  const read = PERMISSIONS_BY_OPERATION.readContents;
  const where = `${owner}/${repo}${spec.path === '' ? '' : `/${spec.path}`}@${spec.ref}`;
  const { data: commit } = await withApi(`${read.operation} of ${owner}/${repo} (${input}: ${where})`, read.permission, () => client.rest.repos.getCommit({ owner, repo, ref: spec.ref, per_page: 1 }));
  const sha = commit.sha;
  const { data: tree } = await withApi(`${read.operation} of ${owner}/${repo} (${input}: ${where})`, read.permission, () => client.rest.git.getTree({ owner, repo, tree_sha: sha, recursive: 'true' }));
  if (tree.truncated) {
    throw new ConfigError('INPUT_INVALID', `${input}: the tree of ${owner}/${repo}@${sha} is too large for GitHub to list in one response, so genops cannot tell it read every policy`, {
      input,
      expected: 'a policy repository GitHub lists whole (under 100,000 entries)',
      hint: 'Keep policies in a smaller repository, or check it out with actions/checkout and list its folder instead.',
    });
  }
  const under = spec.path === '' ? '' : `${spec.path}/`;
  const entries = tree.tree
    .filter((e) => e.type === 'blob' && e.path !== undefined && e.sha !== undefined && (e.path === spec.path || e.path.startsWith(under)) && POLICY_YAML_FILE.test(e.path) && !isPolicyTestFile(e.path, ''))
    .sort((a, b) => ((a.path ?? '') < (b.path ?? '') ? -1 : 1));
  if (entries.length === 0) {
    throw new ConfigError('FILE_NOT_FOUND', `${input}: no *.yml or *.yaml file under ${where} (commit ${sha})`, { input, hint: 'Check the folder name and the ref: a gate without the policies it was given must not run.' });
  }
  if (entries.length > MAX_REPO_POLICY_FILES) {
    throw new ConfigError('INPUT_INVALID', `${input}: ${where} holds ${String(entries.length)} YAML files`, { input, expected: `at most ${String(MAX_REPO_POLICY_FILES)}`, hint: 'Point at the folder that holds the policies.' });
  }
  const files: SourceFile[] = [];
  for (const e of entries) {
    const path = e.path ?? '';
    const name = `github:${owner}/${repo}@${sha}/${path}`;
    if ((e.size ?? 0) > MAX_POLICY_FILE_BYTES) {
      throw new ConfigError('FILE_INVALID', `${name} is ${String(e.size)} bytes`, { input, file: name, expected: `at most ${String(MAX_POLICY_FILE_BYTES)} bytes` });
    }
    const { data: blob } = await withApi(`${read.operation} of ${owner}/${repo} (${input}: ${where})`, read.permission, () => client.rest.git.getBlob({ owner, repo, file_sha: e.sha ?? '' }));
    const bytes = Buffer.from(blob.content, blob.encoding === 'base64' ? 'base64' : 'utf8');
    if (gitBlobId(bytes) !== e.sha) {
      throw new ConfigError('FILE_INVALID', `${name}: the bytes GitHub returned do not hash to the blob id ${e.sha}`, { input, file: name, hint: 'Re-run the job; if it persists, the API response was altered on the way.' });
    }
    if (!isPolicyTestFile(path, bytes.toString('utf8'))) files.push(sourceFileOf(name, bytes));
  }
  return files;
}

/**
 * The `readRemote` of readPolicySources: reads `github:` specs with the client `client()` gives
 * (asked for only when such a spec is listed), and leaves every other spec to the workspace reader.
 */
export function repoPolicyReader(client: () => GitHubClient, input: string): (spec: string) => Promise<SourceFile[] | undefined> {
  let made: GitHubClient | undefined;
  return async (spec) => {
    const repoSpec = parseRepoPolicySpec(spec, input);
    if (repoSpec === undefined) return undefined;
    made ??= client();
    return readRepoPolicySources(made, repoSpec, input);
  };
}
