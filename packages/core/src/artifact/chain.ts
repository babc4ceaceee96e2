/**
 * A chain of artifacts is a graph: each header lists the digests of the
 * statements it was computed from. Verifying the chain means every artifact
 * verified on its own (verifyArtifactBytes) AND every input it names is one
 * of the verified artifacts, about the same commit, and no input is newer
 * than what consumed it.
 */
import { VerificationError } from '../errors.js';
import type { VerifiedArtifact } from './verify.js';

export interface ChainLink {
  artifact: VerifiedArtifact;
  inputs: VerifiedArtifact[];
}

export function verifyChain(artifacts: readonly VerifiedArtifact[], options: { requireInputs?: boolean } = {}): ChainLink[] {
  const byDigest = new Map(artifacts.map((a) => [a.digest, a] as const));
  const commitsOf = (a: VerifiedArtifact) => new Set(a.statement.subject.map((s) => s.digest.gitCommit).filter((c) => c !== undefined));
  return artifacts.map((a) => {
    const inputs: VerifiedArtifact[] = [];
    for (const ref of a.statement.predicate.header.inputs) {
      if (ref.kind === 'file') continue;
      const input = byDigest.get(ref.digest.sha256);
      if (input === undefined) {
        if (options.requireInputs === false) continue;
        throw new VerificationError('ARTIFACT_NOT_FOUND', `${a.source}: was computed from sha256:${ref.digest.sha256}${ref.name === undefined ? '' : ` (${ref.name})`}, which is not among the verified artifacts`, {
          file: a.source,
          hint: 'Hand over every upstream artifact of the chain, so each input can be verified.',
        });
      }
      if (ref.predicateType !== undefined && ref.predicateType !== input.statement.predicateType) {
        throw new VerificationError('PREDICATE_TYPE_MISMATCH', `${a.source}: names its input ${input.source} as ${ref.predicateType}, but it is ${input.statement.predicateType}`, { file: a.source, hint: 'The chain was assembled from the wrong artifacts.' });
      }
      const mine = commitsOf(a);
      if (![...commitsOf(input)].some((c) => mine.has(c))) {
        throw new VerificationError('SUBJECT_MISMATCH', `${a.source}: its input ${input.source} is about another commit`, { file: a.source, expected: [...mine].join(', '), actual: [...commitsOf(input)].join(', '), hint: 'Every artifact of one chain must be about the same commit.' });
      }
      if (Date.parse(input.statement.predicate.header.createdAt) > Date.parse(a.statement.predicate.header.createdAt)) {
        throw new VerificationError('STATEMENT_INVALID', `${a.source}: claims to be made before its input ${input.source}`, { file: a.source, hint: 'Artifacts are made in order; this chain was tampered with or clocks are wrong.' });
      }
      inputs.push(input);
    }
    return { artifact: a, inputs };
  });
}
