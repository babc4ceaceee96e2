/**
 * Handing artifacts between jobs: the producer writes a bundle file and sets
 * the outputs `artifact-path` and `artifact-digest`; the receiver resolves
 * paths, globs or workflow-artifact names to files and verifies each one
 * against the digests it was handed. The filesystem and the artifact service
 * come in through small interfaces.
 */
import { VerificationError, ConfigError, isGenopsError } from '../errors.js';
import { formatDigest, parseDigest } from './canonical.js';
import type { SignedArtifact } from './sign.js';
import { verifyArtifactBytes, DEFAULT_MAX_ARTIFACT_BYTES, type VerifiedArtifact, type VerifyPolicy } from './verify.js';

/** The file operations handoff needs. `nodeFileSystem()` in ../io.ts implements it. */
export interface ArtifactFileSystem {
  /** Size in bytes, or undefined if there is no such file. */
  size(path: string): Promise<number | undefined>;
  readFile(path: string): Promise<Buffer>;
  /** Writes atomically: a reader never sees half a file. */
  writeFileAtomic(path: string, data: string | Buffer): Promise<void>;
  glob(pattern: string): Promise<string[]>;
  /**
   * Follows symlinks and returns the path relative to the workspace (with `/` separators), or
   * undefined when it resolves outside the workspace or does not exist.
   */
  confine(path: string): Promise<string | undefined>;
}

/** Downloads a workflow artifact (by name) of this run into a directory; returns the files. */
export interface WorkflowArtifactClient {
  download(name: string, destination: string): Promise<string[]>;
}

export interface HandoffOutputs {
  'artifact-path': string;
  'artifact-digest': string;
}

export async function writeArtifact(fs: ArtifactFileSystem, path: string, artifact: SignedArtifact): Promise<HandoffOutputs> {
  await fs.writeFileAtomic(path, `${JSON.stringify(artifact.bundle, null, 2)}\n`);
  return { 'artifact-path': path, 'artifact-digest': formatDigest(artifact.digest) };
}

export interface ArtifactSources {
  /** Paths or glob patterns. */
  paths: string[];
  /** Workflow artifact names (downloaded with the client). */
  names: string[];
  downloadDir: string;
}

/** Resolves paths, globs and artifact names to files. No match at all is an error: never pass on nothing. */
export async function resolveArtifactFiles(fs: ArtifactFileSystem, sources: ArtifactSources, client?: WorkflowArtifactClient): Promise<string[]> {
  const files: string[] = [];
  for (const p of sources.paths) {
    const isGlob = /[*?[\]{}]/.test(p);
    const matches = isGlob ? await fs.glob(p) : (await fs.size(p)) === undefined ? [] : [p];
    if (matches.length === 0) {
      throw new VerificationError('ARTIFACT_NOT_FOUND', `no artifact at ${JSON.stringify(p)}`, {
        input: 'artifacts',
        file: p,
        expected: isGlob ? 'at least one file matching the pattern' : 'an existing bundle file',
        hint: 'Download the upstream job\'s workflow artifact first (or pass artifact-name), and check the path.',
      });
    }
    files.push(...matches.sort());
  }
  for (const name of sources.names) {
    if (client === undefined) {
      throw new ConfigError('INPUT_INVALID', `artifact-name ${JSON.stringify(name)} given, but workflow artifacts cannot be downloaded here`, {
        input: 'artifact-name',
        hint: 'Outside GitHub Actions, pass the bundle files with artifacts: instead.',
      });
    }
    const got = await client.download(name, `${sources.downloadDir}/${name}`);
    const bundles = got.filter((f) => f.endsWith('.json')).sort();
    if (bundles.length === 0) {
      throw new VerificationError('ARTIFACT_NOT_FOUND', `workflow artifact ${JSON.stringify(name)} holds no .json bundle`, {
        input: 'artifact-name',
        hint: 'Upload the upstream step\'s artifact-path output with actions/upload-artifact under this name.',
      });
    }
    files.push(...bundles);
  }
  if (files.length === 0) {
    throw new ConfigError('INPUT_MISSING', 'no upstream artifact was given', {
      input: 'artifacts',
      expected: 'artifacts (paths or globs) or artifact-name',
      hint: 'Every genops step verifies what it is handed; pass the upstream step\'s outputs.',
    });
  }
  return [...new Set(files)];
}

export async function readArtifactFile(fs: ArtifactFileSystem, path: string, maxBytes = DEFAULT_MAX_ARTIFACT_BYTES): Promise<Buffer> {
  const size = await fs.size(path);
  if (size === undefined) {
    throw new VerificationError('ARTIFACT_NOT_FOUND', `${path}: no such file`, { file: path, hint: 'Check the path, and that the upstream artifact was downloaded.' });
  }
  // Refuse by size before reading, so a huge file costs nothing.
  if (size > maxBytes) {
    throw new VerificationError('ARTIFACT_TOO_LARGE', `${path}: is ${size} bytes, over the ${maxBytes}-byte limit`, {
      file: path,
      expected: `at most ${maxBytes} bytes`,
      hint: 'genops artifacts are small; this is not one.',
    });
  }
  return fs.readFile(path);
}

export interface VerifyHandoffRequest {
  files: string[];
  /** Digests handed over in job outputs; the verified set must equal this set. */
  expectedDigests: string[];
  policy: Omit<VerifyPolicy, 'expectedDigest'>;
  /**
   * Verify every file and name every bad one in one error (verifyEvery), ending with what was
   * therefore not done (`nothing was appended`); default: stop at the first.
   */
  reportAll?: VerifyEveryOutcome;
}

/** What a failed verifyEvery says was not done (`nothing was appended`), and what to do. */
export interface VerifyEveryOutcome {
  consequence: string;
  hint?: string;
}

/**
 * Verifies every item, collecting every failure: one bad artifact is thrown as it is, several as
 * one error (coded as the first) that names each and why, then the consequence.
 */
export function verifyEvery<T extends { source: string }>(items: readonly T[], verify: (item: T) => VerifiedArtifact, outcome: VerifyEveryOutcome): VerifiedArtifact[] {
  const verified: VerifiedArtifact[] = [];
  const failures: { source: string; error: unknown }[] = [];
  for (const item of items) {
    try {
      verified.push(verify(item));
    } catch (e) {
      failures.push({ source: item.source, error: e });
    }
  }
  const first = failures[0];
  if (first === undefined) return verified;
  if (failures.length === 1 && isGenopsError(first.error)) throw first.error;
  const code = first.error instanceof VerificationError ? first.error.code : 'SIGNATURE_INVALID';
  const lines = failures.map((f) => `- ${f.source}: ${isGenopsError(f.error) ? `${f.error.code}: ${f.error.message}` : String(f.error)}`);
  throw new VerificationError(code, `${String(failures.length)} of ${String(items.length)} artifacts failed verification; ${outcome.consequence}:\n${lines.join('\n')}`, {
    file: first.source,
    hint: outcome.hint ?? 'Every artifact must verify before any of them is used.',
    cause: first.error,
  });
}

/**
 * Verifies every file and checks that the artifacts are exactly the ones the
 * upstream jobs handed over: each file's digest must be expected, and each
 * expected digest must be present.
 */
export async function verifyHandoff(fs: ArtifactFileSystem, req: VerifyHandoffRequest): Promise<VerifiedArtifact[]> {
  const expected = req.expectedDigests.map((d) => {
    const hex = parseDigest(d);
    if (hex === undefined) {
      throw new ConfigError('INPUT_INVALID', `artifact-digest ${JSON.stringify(d)} is not a sha256 digest`, {
        input: 'artifact-digest',
        expected: 'sha256:<64 hex chars>, as set by the upstream step\'s artifact-digest output',
      });
    }
    return hex;
  });
  if (expected.length === 0) {
    throw new ConfigError('INPUT_MISSING', 'no artifact-digest given', {
      input: 'artifact-digest',
      expected: 'the upstream step\'s artifact-digest output (passed through job outputs)',
      hint: 'The digest binds this job to the exact artifact the upstream job produced; there is no way to skip it.',
    });
  }
  const check = (file: string, bytes: Buffer): VerifiedArtifact => {
    const v = verifyArtifactBytes(bytes, file, req.policy);
    if (!expected.includes(v.digest)) {
      throw new VerificationError('DIGEST_MISMATCH', `${file}: is not an artifact the upstream job handed over`, {
        file,
        input: 'artifact-digest',
        expected: expected.map(formatDigest).join(', '),
        actual: formatDigest(v.digest),
        hint: 'A different (perhaps older or another run\'s) artifact was supplied. Pass the artifact and digest from the same upstream job.',
      });
    }
    return v;
  };
  let verified: VerifiedArtifact[] = [];
  if (req.reportAll === undefined) {
    for (const file of req.files) verified.push(check(file, await readArtifactFile(fs, file, req.policy.maxBytes)));
  } else {
    const read: { source: string; bytes: Buffer }[] = [];
    for (const file of req.files) read.push({ source: file, bytes: await readArtifactFile(fs, file, req.policy.maxBytes) });
    verified = verifyEvery(read, (f) => check(f.source, f.bytes), req.reportAll);
  }
  const missing = expected.filter((d) => !verified.some((v) => v.digest === d));
  if (missing.length > 0) {
    throw new VerificationError('ARTIFACT_NOT_FOUND', `no artifact with digest ${missing.map(formatDigest).join(', ')} was supplied${req.reportAll === undefined ? '' : `; ${req.reportAll.consequence}`}`, {
      input: 'artifacts',
      hint: 'Every handed-over digest must be matched by a file; download all the upstream artifacts.',
    });
  }
  return verified;
}
