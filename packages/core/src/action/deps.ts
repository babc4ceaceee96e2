/** Builds the real dependencies of an action step from the runner's environment. */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowArtifactClient } from '../artifact/handoff.js';
import { VerificationError } from '../errors.js';
import { createGitHubClient, type GitHubClient } from '../github/client.js';
import { readContextFromEnv, type RunContext } from '../github/context.js';
import { nodeFileSystem, systemClock } from '../io.js';
import type { ActionRuntime } from './runtime.js';
import type { VerifyDeps } from './verification.js';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Workflow artifacts of this run through @actions/artifact, loaded only when used. */
export function actionsArtifactClient(): WorkflowArtifactClient {
  return {
    async download(name, destination) {
      const { DefaultArtifactClient, ArtifactNotFoundError } = await import('@actions/artifact');
      const client = new DefaultArtifactClient();
      let found: { id: number; digest?: string | undefined };
      try {
        found = (await client.getArtifact(name)).artifact;
      } catch (e) {
        if (!(e instanceof ArtifactNotFoundError)) throw e;
        throw new VerificationError('ARTIFACT_NOT_FOUND', `this workflow run has no artifact named ${JSON.stringify(name)}`, {
          input: 'artifact-name',
          expected: 'the name an upstream job of this run gave actions/upload-artifact (v4 or later)',
          hint: "Check the name against the upstream job's upload-artifact step, that this job `needs:` that job, and that the artifact has not expired.",
          cause: e,
        });
      }
      const { downloadPath, digestMismatch } = await client.downloadArtifact(found.id, {
        path: destination,
        ...(found.digest === undefined ? {} : { expectedHash: found.digest }),
      });
      if (digestMismatch === true) {
        throw new VerificationError('DIGEST_MISMATCH', `workflow artifact ${JSON.stringify(name)} changed between upload and download`, {
          input: 'artifact-name',
          hint: 'Re-run the job; if it persists, the artifact storage returned different bytes than were uploaded.',
        });
      }
      return listFiles(downloadPath ?? destination);
    },
  };
}

/** Context, workspace file system and clock: what every step needs. */
export async function actionBaseDeps(rt: ActionRuntime): Promise<Pick<VerifyDeps, 'context' | 'fs' | 'clock'> & { workspace: string }> {
  const env = rt.env;
  const context = await readContextFromEnv(env, (p) => readFile(p, 'utf8'));
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  return { context, fs: nodeFileSystem(workspace), clock: systemClock, workspace };
}

/** The base, plus the workflow-artifact client (a separate chunk, loaded only when used). */
export async function actionDeps(rt: ActionRuntime): Promise<VerifyDeps> {
  const base = await actionBaseDeps(rt);
  return {
    context: base.context,
    fs: base.fs,
    clock: base.clock,
    artifactClient: actionsArtifactClient(),
    tempDir: rt.env.RUNNER_TEMP ?? join(base.workspace, '.genops-tmp'),
  };
}

/** The real GitHub client for a step, built from the token input when the step needs the API. */
export function actionGitHubClient(rt: ActionRuntime, ctx: RunContext): (token: string) => GitHubClient {
  return (token) => createGitHubClient({ token, baseUrl: ctx.apiUrl, logger: rt.logger, readOnlyToken: ctx.isReadOnlyToken });
}
