/**
 * Signing a statement and writing its bundle. Loaded with import() only when a step signs, so
 * the signing stack (Fulcio/Rekor clients and their HTTP stack) costs nothing on runs that don't.
 */
import { writeArtifact, type ArtifactFileSystem, type HandoffOutputs } from '../artifact/handoff.js';
import { signStatement } from '../artifact/sign.js';
import type { Statement } from '../artifact/statement.js';
import { createSigner } from './signing.js';
import type { SigningConfig } from './signing-inputs.js';

export async function signAndWrite(
  statement: Statement,
  path: string,
  signing: SigningConfig,
  env: Readonly<Record<string, string | undefined>>,
  fs: ArtifactFileSystem,
): Promise<HandoffOutputs> {
  return writeArtifact(fs, path, await signStatement(statement, createSigner(signing, env)));
}
