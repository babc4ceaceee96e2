import { createRequire as __genopsCreateRequire } from 'node:module';
import { fileURLToPath as __genopsFileURLToPath } from 'node:url';
import { dirname as __genopsDirname } from 'node:path';
const require = __genopsCreateRequire(import.meta.url);
const __filename = __genopsFileURLToPath(import.meta.url);
const __dirname = __genopsDirname(__filename);
import {
  signAndWrite
} from "./chunk-PF44ZEYT.js";
import "./chunk-MSLDLW6A.js";
import "./chunk-PKYNYVMD.js";
import {
  PredicateTypes,
  buildHeader,
  buildStatement
} from "./chunk-J3V7XCPU.js";
import "./chunk-KBSHAUM5.js";
import "./chunk-GSJJHUCF.js";
import "./chunk-UQKFIQGY.js";

// packages/core/src/artifact/receipt.ts
function buildReceipt(subject, header, verified) {
  const entries = verified.map((v) => {
    const signer = { mode: v.signer.mode };
    if (v.signer.keyId !== void 0) signer.keyId = v.signer.keyId;
    if (v.signer.identity !== void 0) signer.identity = v.signer.identity;
    if (v.signer.issuer !== void 0) signer.issuer = v.signer.issuer;
    if (v.signer.tlogIndex !== void 0) signer.tlogIndex = v.signer.tlogIndex;
    return { name: v.source, digest: v.digest, predicateType: v.statement.predicateType, signer, verifiedAt: header.now.toISOString() };
  });
  return buildStatement(subject, PredicateTypes.receipt, {
    header: buildHeader({
      ...header,
      inputs: verified.map((v) => ({ name: v.source, predicateType: v.statement.predicateType, digest: { sha256: v.digest } }))
    }),
    verified: entries
  });
}

// packages/core/src/action/receipt-step.ts
async function signReceipt(req, signing, env, fs) {
  return signAndWrite(buildReceipt(req.subject, req.header, req.verified), req.path, signing, env, fs);
}
export {
  signReceipt
};
