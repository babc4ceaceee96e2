/** The risk statement: the assessment under the common header, its input the verified evidence. */
import { buildHeader, buildStatement, PredicateTypes, type GenopsPredicate, type HeaderSpec, type Statement, type SubjectSpec } from '../artifact/statement.js';
import type { RiskAssessment } from './model.js';

export type RiskPredicate = GenopsPredicate & RiskAssessment;

export function buildRiskStatement(
  subject: SubjectSpec,
  header: Omit<HeaderSpec, 'inputs' | 'component'>,
  evidence: { name: string; digest: string },
  assessment: RiskAssessment,
): Statement<RiskPredicate> {
  const inputs = [{ name: evidence.name, predicateType: PredicateTypes.evidence, digest: { sha256: evidence.digest } }];
  return buildStatement(subject, PredicateTypes.risk, { header: buildHeader({ ...header, component: 'risk-score', inputs }), ...assessment });
}
