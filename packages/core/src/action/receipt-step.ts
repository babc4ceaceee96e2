/**
 * Signing a verification receipt. Loaded with import() only when a receipt is asked for, so
 * the signing stack (Fulcio/Rekor clients and their HTTP stack) costs nothing on plain
 * verification runs.
 */
import { writeArtifact, type ArtifactFileSystem, type HandoffOutputs } from '../artifact/handoff.js';
import { buildReceipt } from '../artifact/receipt.js';
import { signStatement } from '../artifact/sign.js';
import type { HeaderSpec, SubjectSpec } from '../artifact/statement.js';
import type { VerifiedArtifact } from '../artifact/verify.js';
import { createSigner } from './signing.js';
import type { SigningConfig } from './signing-inputs.js';

export async function signReceipt(
  req: { subject: SubjectSpec; header: Omit<HeaderSpec, 'inputs'>; verified: readonly VerifiedArtifact[]; path: string },
  signing: SigningConfig,
  env: Readonly<Record<string, string | undefined>>,
  fs: ArtifactFileSystem,
): Promise<HandoffOutputs> {
  const signed = await signStatement(buildReceipt(req.subject, req.header, req.verified), createSigner(signing, env));
  return writeArtifact(fs, req.path, signed);
}
