/** Signing a verification receipt (loaded with import() only when a receipt is asked for). */
import type { ArtifactFileSystem, HandoffOutputs } from '../artifact/handoff.js';
import { buildReceipt } from '../artifact/receipt.js';
import type { HeaderSpec, SubjectSpec } from '../artifact/statement.js';
import type { VerifiedArtifact } from '../artifact/verify.js';
import { signAndWrite } from './sign-step.js';
import type { SigningConfig } from './signing-inputs.js';

export async function signReceipt(
  req: { subject: SubjectSpec; header: Omit<HeaderSpec, 'inputs'>; verified: readonly VerifiedArtifact[]; path: string },
  signing: SigningConfig,
  env: Readonly<Record<string, string | undefined>>,
  fs: ArtifactFileSystem,
): Promise<HandoffOutputs> {
  return signAndWrite(buildReceipt(req.subject, req.header, req.verified), req.path, signing, env, fs);
}
