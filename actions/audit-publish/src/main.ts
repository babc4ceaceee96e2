import { actionDeps, actionGitHubClient, actionsRuntime, auditStep, runAction } from '@genops/core';

const rt = actionsRuntime();
await runAction(rt, 'audit-publish', async () => {
  const deps = await actionDeps(rt);
  await auditStep(rt, { ...deps, github: actionGitHubClient(rt, deps.context), workspace: rt.env.GITHUB_WORKSPACE ?? process.cwd() });
});
