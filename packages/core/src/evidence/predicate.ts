/** The evidence statement: the Evidence model under the common header, bound to the commit. */
import { buildStatement, PredicateTypes, type ArtifactRef, type GenopsPredicate, type HeaderSpec, type Statement, type SubjectSpec } from '../artifact/statement.js';
import { buildHeader } from '../artifact/statement.js';
import type { Evidence } from './model.js';

export type EvidencePredicate = GenopsPredicate & Evidence;

/** Every source (file or API read) is an input of kind `file`: the digest of the exact bytes parsed. */
export function sourceInputs(evidence: Evidence): ArtifactRef[] {
  return evidence.sources.map((s) => ({ name: s.path, kind: 'file', mediaType: s.format, digest: { sha256: s.sha256 } }));
}

export function buildEvidenceStatement(subject: SubjectSpec, header: Omit<HeaderSpec, 'inputs' | 'component'>, evidence: Evidence): Statement<EvidencePredicate> {
  const predicate: EvidencePredicate = { header: buildHeader({ ...header, component: 'evidence-collect', inputs: sourceInputs(evidence) }), ...evidence };
  return buildStatement(subject, PredicateTypes.evidence, predicate);
}
