import { createRequire as __genopsCreateRequire } from 'node:module';
import { fileURLToPath as __genopsFileURLToPath } from 'node:url';
import { dirname as __genopsDirname } from 'node:path';
const require = __genopsCreateRequire(import.meta.url);
const __filename = __genopsFileURLToPath(import.meta.url);
const __dirname = __genopsDirname(__filename);
import {
  signAndWrite
} from "./chunk-VPARFYPO.js";
import "./chunk-B4RCPP25.js";
import "./chunk-MR6ZC33F.js";
import "./chunk-TUPLV7H6.js";
import "./chunk-KBSHAUM5.js";
import "./chunk-GSJJHUCF.js";
import "./chunk-UQKFIQGY.js";
export {
  signAndWrite
};
