import { createRequire as __genopsCreateRequire } from 'node:module';
import { fileURLToPath as __genopsFileURLToPath } from 'node:url';
import { dirname as __genopsDirname } from 'node:path';
const require = __genopsCreateRequire(import.meta.url);
const __filename = __genopsFileURLToPath(import.meta.url);
const __dirname = __genopsDirname(__filename);
import {
  signAndWrite
} from "./chunk-UO2XYTUV.js";
import "./chunk-E57FVTVG.js";
import "./chunk-Q3H3YRTC.js";
import "./chunk-P5M2I3V6.js";
import "./chunk-KBSHAUM5.js";
import "./chunk-GSJJHUCF.js";
import "./chunk-UQKFIQGY.js";
export {
  signAndWrite
};
