/** The risk job summary and the text `genops risk explain` prints: computed from the assessment only. */
import type { RiskAssessment } from '../risk/model.js';
import { mdCode, mdLink, mdTableCell } from './escape.js';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const num = (x: number) => x.toFixed(3);

/** Factors by contribution, largest first (the order a reader wants). */
function byContribution(a: RiskAssessment): RiskAssessment['factors'] {
  return [...a.factors].sort((x, y) => y.contribution - x.contribution || (x.name < y.name ? -1 : 1));
}

export function renderRiskSummary(a: RiskAssessment, artifact?: { path: string; digest: string }): string {
  const lines = [`### genops risk: ${a.tier} (${num(a.score)})`, ''];
  lines.push(`Tiers: low < ${num(a.thresholds.medium)} ≤ medium < ${num(a.thresholds.high)} ≤ high < ${num(a.thresholds.critical)} ≤ critical. Canary plan: ${a.canaryPlan.join(' → ')} %.`, '');
  lines.push('| Factor | Value | Weight | Contribution | Why |', '| --- | ---: | ---: | ---: | --- |');
  for (const f of byContribution(a)) {
    lines.push(`| ${mdTableCell(f.name)}${f.absent === true ? ' (absent)' : ''} | ${num(f.value)} | ${num(f.weight)} | ${num(f.contribution)} | ${mdTableCell(f.reason)} |`);
  }
  lines.push(`| **score** | | | **${num(a.score)}** | sum of the contributions |`);
  if (a.history !== null) {
    const h = a.history;
    lines.push('', `Deployment history: ${String(h.failures)} failed of ${String(h.failures + h.successes)}; failure rate ${pct(h.mean)} (posterior mean, ${String(Math.round(h.level * 100))} % interval ${pct(h.interval[0])}–${pct(h.interval[1])}, prior Beta(${String(h.prior.alpha)}, ${String(h.prior.beta)})).`);
  }
  if (a.incidents.length > 0) {
    lines.push('', '#### Similar past incidents', '', '| Score | Incident | Matched on |', '| ---: | --- | --- |');
    for (const m of a.incidents) {
      const title = m.url === undefined ? `${mdTableCell(m.title)} (${mdCode(m.source)})` : mdLink(m.title, m.url);
      lines.push(`| ${m.score.toFixed(2)} | ${title} | ${mdTableCell(m.terms.join(', '))} |`);
    }
  }
  if (a.recourse.length > 0) {
    lines.push('', '#### What would lower the risk', '', '| Do | Then | Effort |', '| --- | --- | ---: |');
    for (const r of a.recourse) lines.push(`| ${mdTableCell(r.actions.map((x) => x.label).join('; '))} | ${r.tier} (${num(r.score)}) | ${String(r.cost)} |`);
  }
  if (artifact !== undefined) lines.push('', `Signed risk: ${mdCode(artifact.path)} ${mdCode(artifact.digest)}`);
  return `${lines.join('\n')}\n`;
}

/** Plain text for a terminal. */
export function riskExplainText(a: RiskAssessment): string[] {
  const out = [`risk ${a.tier} ${num(a.score)} (medium >= ${num(a.thresholds.medium)}, high >= ${num(a.thresholds.high)}, critical >= ${num(a.thresholds.critical)}); canary ${a.canaryPlan.join(' -> ')}`];
  for (const f of byContribution(a)) out.push(`  ${f.name.padEnd(22)} ${num(f.value)} x ${num(f.weight)} -> ${num(f.contribution)}  ${f.reason}`);
  for (const m of a.incidents) out.push(`  incident ${m.score.toFixed(2)} ${m.title} (${m.url ?? m.source})`);
  for (const r of a.recourse) out.push(`  recourse -> ${r.tier} ${num(r.score)} (effort ${String(r.cost)}): ${r.actions.map((x) => x.label).join('; ')}`);
  return out;
}
