import { createRequire as __genopsCreateRequire } from 'node:module';
import { fileURLToPath as __genopsFileURLToPath } from 'node:url';
import { dirname as __genopsDirname } from 'node:path';
const require = __genopsCreateRequire(import.meta.url);
const __filename = __genopsFileURLToPath(import.meta.url);
const __dirname = __genopsDirname(__filename);
import {
  signAndWrite
} from "./chunk-LJ6SPJYR.js";
import "./chunk-RBD723OV.js";
import "./chunk-D6ESRQAX.js";
import "./chunk-YTTE4TQF.js";
import "./chunk-JF4O6RKA.js";
import "./chunk-PJYZ7UGD.js";
import "./chunk-GSJJHUCF.js";
import "./chunk-UQKFIQGY.js";
export {
  signAndWrite
};
