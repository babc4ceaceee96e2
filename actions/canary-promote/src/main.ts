import { abortOnTermination, actionDeps, actionGitHubClient, actionsRuntime, canaryStep, runAction } from '@genops/core';

const rt = actionsRuntime();
const signal = abortOnTermination();
await runAction(rt, 'canary-promote', async () => {
  const deps = await actionDeps(rt);
  await canaryStep(rt, { ...deps, github: actionGitHubClient(rt, deps.context), signal, workspace: rt.env.GITHUB_WORKSPACE ?? process.cwd() });
});
