import { actionDeps, actionGitHubClient, actionsRuntime, gateStep, runAction } from '@genops/core';

const rt = actionsRuntime();
await runAction(rt, 'policy-gate', async () => {
  const deps = await actionDeps(rt);
  await gateStep(rt, { ...deps, github: actionGitHubClient(rt, deps.context) });
});
