import { actionBaseDeps, actionGitHubClient, actionsRuntime, evidenceStep, runAction } from '@genops/core';

const rt = actionsRuntime();
await runAction(rt, 'evidence-collect', async () => {
  const { workspace, ...deps } = await actionBaseDeps(rt);
  await evidenceStep(rt, { ...deps, workspaceRoot: workspace, github: actionGitHubClient(rt, deps.context) });
});
