// The all-in-one PR gate behind the repository's root action.yml (evidence-collect, risk-score and
// policy-gate in one step).
import { actionDeps, actionGitHubClient, actionsRuntime, prGateStep, runAction } from '@genops/core';

const rt = actionsRuntime();
await runAction(rt, 'pr-gate', async () => {
  const deps = await actionDeps(rt);
  await prGateStep(rt, { ...deps, workspaceRoot: rt.env.GITHUB_WORKSPACE ?? process.cwd(), github: actionGitHubClient(rt, deps.context) });
});
