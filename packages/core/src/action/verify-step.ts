/** The `verify` action: verify upstream artifacts and, optionally, sign a receipt saying so. */
import { renderVerifiedTable } from '../report/verification.js';
import { GENOPS_VERSION } from '../version.js';
import { InputProblems, intInput } from './inputs.js';
import { runIdentityOf } from './run-identity.js';
import { maskSecret, type ActionRuntime } from './runtime.js';
import { parseSigningInputs, SIGNING_INPUTS } from './signing-inputs.js';
import { parseVerificationInputs, verifyUpstream, VERIFICATION_INPUTS, type VerifyDeps } from './verification.js';

export const VERIFY_STEP_INPUTS = [...VERIFICATION_INPUTS, 'receipt-path', 'ttl-seconds', ...SIGNING_INPUTS] as const;
export const VERIFY_STEP_OUTPUTS = ['verified-count', 'verified-digests', 'artifact-path', 'artifact-digest'] as const;

export async function verifyStep(rt: ActionRuntime, deps: VerifyDeps): Promise<void> {
  const raw = (n: string) => rt.getInput(n);
  maskSecret(rt, raw('signing-key'));
  const problems = new InputProblems();
  const cfg = parseVerificationInputs(raw, problems);
  const receiptPath = raw('receipt-path');
  const signing = receiptPath === '' ? undefined : parseSigningInputs(raw, problems);
  const ttl = intInput(raw, 'ttl-seconds', 24 * 3600, 60, 90 * 24 * 3600, problems);
  problems.throwIfAny();

  const verified = await verifyUpstream(cfg, deps);
  for (const v of verified) rt.logger.info(`verified ${v.source}: ${v.statement.predicateType} sha256:${v.digest}`);
  rt.appendSummary(renderVerifiedTable(verified));
  rt.setOutput('verified-count', String(verified.length));
  rt.setOutput('verified-digests', verified.map((v) => `sha256:${v.digest}`).join('\n'));

  if (signing !== undefined) {
    const ctx = deps.context;
    const { signReceipt } = await import('./receipt-step.js');
    const out = await signReceipt(
      {
        subject: { repository: ctx.repository.fullName, gitCommit: cfg.subjectSha ?? ctx.subjectSha },
        header: { component: 'verify', toolVersion: GENOPS_VERSION, run: runIdentityOf(ctx), now: deps.clock.now(), ttlSeconds: ttl },
        verified,
        path: receiptPath,
      },
      signing,
      rt.env,
      deps.fs,
    );
    rt.setOutput('artifact-path', out['artifact-path']);
    rt.setOutput('artifact-digest', out['artifact-digest']);
    rt.logger.info(`receipt signed (${signing.mode} mode): ${out['artifact-path']} ${out['artifact-digest']}`);
  }
}
