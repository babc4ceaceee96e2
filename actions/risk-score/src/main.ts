import { actionDeps, actionGitHubClient, actionsRuntime, riskStep, runAction } from '@genops/core';

const rt = actionsRuntime();
await runAction(rt, 'risk-score', async () => {
  const deps = await actionDeps(rt);
  await riskStep(rt, { ...deps, github: actionGitHubClient(rt, deps.context) });
});
