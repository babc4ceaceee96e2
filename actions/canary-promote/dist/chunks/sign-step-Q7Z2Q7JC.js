import { createRequire as __genopsCreateRequire } from 'node:module';
import { fileURLToPath as __genopsFileURLToPath } from 'node:url';
import { dirname as __genopsDirname } from 'node:path';
const require = __genopsCreateRequire(import.meta.url);
const __filename = __genopsFileURLToPath(import.meta.url);
const __dirname = __genopsDirname(__filename);
import {
  signAndWrite
} from "./chunk-AF442NZA.js";
import "./chunk-NIKQ7EME.js";
import "./chunk-C44UTUPX.js";
import "./chunk-BIYW54LX.js";
import "./chunk-KBSHAUM5.js";
import "./chunk-GSJJHUCF.js";
import "./chunk-UQKFIQGY.js";
export {
  signAndWrite
};
