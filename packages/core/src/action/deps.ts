/** Builds the real dependencies of an action step from the runner's environment. */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowArtifactClient } from '../artifact/handoff.js';
import { readContextFromEnv } from '../github/context.js';
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
      const { DefaultArtifactClient } = await import('@actions/artifact');
      const client = new DefaultArtifactClient();
      const { artifact } = await client.getArtifact(name);
      const { downloadPath } = await client.downloadArtifact(artifact.id, { path: destination });
      return listFiles(downloadPath ?? destination);
    },
  };
}

export async function actionDeps(rt: ActionRuntime): Promise<VerifyDeps> {
  const env = rt.env;
  const context = await readContextFromEnv(env, (p) => readFile(p, 'utf8'));
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  return {
    context,
    fs: nodeFileSystem(workspace),
    clock: systemClock,
    artifactClient: actionsArtifactClient(),
    tempDir: env.RUNNER_TEMP ?? join(workspace, '.genops-tmp'),
  };
}
