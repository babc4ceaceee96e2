import { createRequire as __genopsCreateRequire } from 'node:module';
import { fileURLToPath as __genopsFileURLToPath } from 'node:url';
import { dirname as __genopsDirname } from 'node:path';
const require = __genopsCreateRequire(import.meta.url);
const __filename = __genopsFileURLToPath(import.meta.url);
const __dirname = __genopsDirname(__filename);
import {
  writeArtifact
} from "./chunk-MSLDLW6A.js";
import {
  createSigner,
  signStatement
} from "./chunk-SR3ATHCK.js";

// packages/core/src/action/sign-step.ts
async function signAndWrite(statement, path, signing, env, fs) {
  return writeArtifact(fs, path, await signStatement(statement, createSigner(signing, env)));
}

export {
  signAndWrite
};
