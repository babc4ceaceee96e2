import { actionDeps, actionsRuntime, runAction, verifyStep } from '@genops/core';

const rt = actionsRuntime();
await runAction(rt, 'verify', async () => verifyStep(rt, await actionDeps(rt)));
