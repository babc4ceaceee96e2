/**
 * A decision as terminal lines (`genops policy evaluate`, the demo). Messages come from policies
 * and PR-derived evidence, so control characters (ANSI escapes, carriage returns) are shown as
 * escapes instead of reaching the terminal.
 */
import type { DecisionBody } from '../policy/decision-model.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** One line of untrusted text for a terminal: control and bidi characters escaped, newlines as ⏎. */
export function terminalText(s: string): string {
  return s.replace(/\r?\n/g, ' ⏎ ').replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function decisionText(d: DecisionBody): string[] {
  const c = d.counts;
  const out = [
    `decision ${d.decision.toUpperCase()} for ${terminalText(d.environment)} (gate ${d.key}; ${String(c.pass)} passed, ${String(c.violated)} violated, ${String(c.excepted)} excepted, ${String(c.error)} errors, ${String(c.skipped)} skipped; policy bundle sha256:${d.policy.bundleDigest.slice(0, 12)})`,
  ];
  if (d.breakGlass !== undefined) {
    out.push(`  BREAK-GLASS by ${terminalText(d.breakGlass.by)} until ${d.breakGlass.expiresAt} (was ${d.breakGlass.overridden}): ${terminalText(d.breakGlass.reason)}`);
  }
  for (const r of d.results) {
    if (r.outcome === 'pass' || r.outcome === 'skipped') continue;
    const tag = r.outcome === 'excepted' ? `excepted by ${terminalText(r.exception ?? '')}` : `${r.outcome} -> ${r.effective}${r.mode === 'enforce' ? '' : ` (${r.mode} mode)`}`;
    out.push(`  ${r.set}/${r.rule}: ${tag}`);
    out.push(`    ${terminalText(r.outcome === 'error' ? (r.error ?? r.message) : r.message)}`);
    if (r.recourse !== undefined && r.outcome !== 'excepted') out.push(`    fix: ${terminalText(r.recourse.summary)}${r.recourse.contacts === undefined ? '' : ` (contacts: ${r.recourse.contacts.map(terminalText).join(', ')})`}`);
  }
  for (const e of d.exceptions.expired) out.push(`  exception ${terminalText(e.name)} expired at ${e.expiresAt} (ticket ${terminalText(e.ticket)})`);
  for (const e of d.exceptions.invalid) out.push(`  exception ${terminalText(e.name)} refused: ${terminalText(e.problem ?? '')}`);
  if (d.requiredEnvironment !== undefined) out.push(`  deploy through the protected environment ${terminalText(d.requiredEnvironment)} (its required reviewers approve)`);
  if (d.risk !== undefined) {
    for (const r of d.risk.recourse.filter((x) => x.tier !== d.risk?.tier).slice(0, 1)) out.push(`  to lower the risk (${d.risk.tier} -> ${r.tier}): ${r.actions.map((a) => terminalText(a.label)).join('; ')}`);
  }
  return out;
}
