/** The evidence job summary, and the counts the action outputs: computed from the Evidence only. */
import type { CoverageRatio, Evidence, SeverityCounts, SourceKind } from '../evidence/model.js';
import { SEVERITIES } from '../evidence/model.js';
import { mdCode, mdTableCell } from './escape.js';

function pct(r: CoverageRatio | null | undefined): string {
  return r?.ratio === null || r === undefined || r === null ? 'n/a' : `${(r.ratio * 100).toFixed(1)} % (${String(r.covered)}/${String(r.total)})`;
}

function severityLine(t: SeverityCounts): string {
  return SEVERITIES.filter((s) => t[s] > 0)
    .map((s) => `${String(t[s])} ${s}`)
    .join(', ') || 'none';
}

/** One line per source kind saying what was found: the job summary's main table. */
export function evidenceFindings(e: Evidence): { kind: SourceKind | 'change'; found: string }[] {
  const rows: { kind: SourceKind | 'change'; found: string }[] = [];
  if (e.sbom !== null) {
    const t = e.sbom.totals;
    rows.push({ kind: 'sbom', found: `${String(t.components)} components (${String(t.direct)} direct, ${String(t.transitive)} transitive, ${String(t.unknownScope)} unknown scope); ${String(t.withoutLicense)} without a license` });
  }
  if (e.sbomDiff !== null) {
    const d = e.sbomDiff;
    rows.push({ kind: 'base-sbom', found: `${String(d.added.length)} added, ${String(d.removed.length)} removed, ${String(d.upgraded.length)} upgraded, ${String(d.downgraded.length)} downgraded, ${String(d.licenseChanged.length)} license changes` });
  }
  if (e.vulnerabilities !== null) {
    rows.push({ kind: 'vulnerabilities', found: `${String(e.vulnerabilities.findings.length)} findings: ${severityLine(e.vulnerabilities.totals)}; ${String(e.vulnerabilities.suppressed)} suppressed by VEX` });
  }
  if (e.vex !== null) rows.push({ kind: 'vex', found: `${String(e.vex.statements.length)} statements` });
  if (e.tests !== null) {
    const t = e.tests;
    rows.push({ kind: 'tests', found: `${String(t.total)} tests: ${String(t.passed)} passed, ${String(t.failed)} failed, ${String(t.errored)} errored, ${String(t.skipped)} skipped, ${String(t.flaky)} flaky` });
  }
  if (e.coverage !== null) {
    rows.push({ kind: 'coverage', found: `lines ${pct(e.coverage.lines)}; changed lines ${e.coverage.changedLines === null ? 'n/a (no diff)' : pct(e.coverage.changedLines)}` });
  }
  if (e.provenance !== null) rows.push({ kind: 'provenance', found: `${String(e.provenance.verified)} verified, ${String(e.provenance.unverified)} unverified` });
  if (e.eval !== null) {
    const v = e.eval;
    rows.push({ kind: 'eval', found: `${String(v.tests)} eval tests, pass rate ${v.passRate === null ? 'n/a' : `${(v.passRate * 100).toFixed(1)} %`}${v.injection === null ? '' : `; injection suite ${String(v.injection.blocked)}/${String(v.injection.total)} blocked`}` });
  }
  if (e.telemetry !== null) {
    const t = e.telemetry;
    rows.push({ kind: 'traces', found: `${String(t.llmCalls)} model calls, ${String(t.toolCalls)} tool calls, longest tool-call run ${String(t.maxConsecutiveToolCalls)}, ${String(t.tokens.total)} tokens` });
  }
  if (e.service !== null) {
    const s = e.service;
    rows.push({ kind: 'metadata', found: `${s.app} (${s.environment ?? 'no environment'}), owner ${s.owner}, tier ${s.tier ?? 'unset'}` });
  }
  if (e.change !== null) {
    const c = e.change;
    const cats = Object.entries(c.categories).filter(([, n]) => n > 0).map(([k, n]) => `${String(n)} ${k}`).join(', ');
    rows.push({ kind: 'change', found: `${String(c.totals.files)} files (+${String(c.totals.additions)} −${String(c.totals.deletions)})${cats === '' ? '' : `; ${cats}`}; ${String(c.approvals.human)} human approvals; AI share ${(c.ai.share * 100).toFixed(0)} %` });
  }
  if (e.deployments !== null) {
    const d = e.deployments;
    rows.push({ kind: 'github', found: `${String(d.deployments.length)} recent deployments to ${d.environment}: ${Object.entries(d.counts).map(([k, n]) => `${String(n)} ${k}`).join(', ') || 'none'}` });
  }
  return rows;
}

export function renderEvidenceSummary(e: Evidence, artifact?: { path: string; digest: string }): string {
  const lines = ['### genops evidence', ''];
  lines.push('| Source | Found |', '| --- | --- |');
  for (const r of evidenceFindings(e)) lines.push(`| ${mdTableCell(r.kind)} | ${mdTableCell(r.found)} |`);
  if (e.absent.length > 0) lines.push(`| absent | ${mdTableCell(e.absent.join(', '))} |`);
  lines.push('', '<details><summary>Files read</summary>', '', '| Kind | File | Format | sha256 | Warnings |', '| --- | --- | --- | --- | --- |');
  for (const s of e.sources) {
    lines.push(`| ${mdTableCell(s.kind)} | ${mdCode(s.path)} | ${mdTableCell(s.format)} | ${mdCode(s.sha256.slice(0, 12))} | ${mdTableCell(s.warnings.length === 0 ? '' : s.warnings.join('; '))} |`);
  }
  lines.push('', '</details>');
  if (artifact !== undefined) lines.push('', `Signed evidence: ${mdCode(artifact.path)} ${mdCode(artifact.digest)}`);
  return `${lines.join('\n')}\n`;
}

/** The action's count outputs (strings, as outputs are). */
export function evidenceOutputs(e: Evidence): Record<string, string> {
  const t = e.vulnerabilities?.totals;
  const changed = e.coverage?.changedLines;
  return {
    components: String(e.sbom?.totals.components ?? 0),
    vulnerabilities: JSON.stringify(t ?? {}),
    'vulnerabilities-critical': String(t?.critical ?? 0),
    'vulnerabilities-high': String(t?.high ?? 0),
    'vulnerabilities-medium': String(t?.medium ?? 0),
    'vulnerabilities-low': String(t?.low ?? 0),
    'changed-lines-coverage': changed?.ratio === null || changed === null || changed === undefined ? '' : changed.ratio.toFixed(4),
    'tests-failed': String((e.tests?.failed ?? 0) + (e.tests?.errored ?? 0)),
    'absent-sources': e.absent.join(','),
  };
}
