import { createRequire as __genopsCreateRequire } from 'node:module';
import { fileURLToPath as __genopsFileURLToPath } from 'node:url';
import { dirname as __genopsDirname } from 'node:path';
const require = __genopsCreateRequire(import.meta.url);
const __filename = __genopsFileURLToPath(import.meta.url);
const __dirname = __genopsDirname(__filename);
import {
  signAndWrite
} from "./chunk-UYJMOZEI.js";
import "./chunk-MSLDLW6A.js";
import "./chunk-SR3ATHCK.js";
import "./chunk-J3V7XCPU.js";
import "./chunk-JF4O6RKA.js";
import "./chunk-PJYZ7UGD.js";
import "./chunk-GSJJHUCF.js";
import "./chunk-UQKFIQGY.js";
export {
  signAndWrite
};
