/**
 * Everything GitHub shows about a policy decision, rendered from the decision predicate alone:
 * the sticky PR comment, the job summary (the full table), the check run's output and a SARIF log
 * of the violations for code scanning. Pure functions, no I/O.
 *
 * Messages, titles, recourse and contacts come from policy files and PR-derived evidence (package
 * names, paths), so every piece goes through escape.ts: nothing in them can mention anyone, render
 * HTML or links, start a block or close a code fence. Length caps are kept by adding whole blocks
 * until the next would not fit, then a note pointing to the job summary, so a cut never leaves a
 * fence or table open.
 */
import type { BreakGlass, DecisionPredicate } from '../policy/decision-model.js';
import type { Decision, ExceptionReport, PolicyResult } from '../policy/model.js';
import { DECISION_ORDER } from '../policy/model.js';
import { clipText } from '../evidence/source.js';
import { mdCode, mdLink, mdTableCell, mdText, safeUrl } from './escape.js';

/** GitHub's limit for an issue or pull request comment body. */
export const MAX_COMMENT_CHARS = 65_536;
/** GitHub's limit for a check run's `output.summary` and `output.text`. */
export const MAX_CHECK_OUTPUT_CHARS = 65_535;
/** GitHub's limit for the job summary of one step (1 MiB), less room for other sections. */
export const MAX_SUMMARY_BYTES = 1_000_000;

/** A place in the repository a violated rule is about (a vulnerable line, uncovered changed lines). */
export interface ViolationLocation {
  /** `set/rule` of the violated rule. */
  rule: string;
  /** Workspace-relative path with `/` separators. */
  path: string;
  startLine: number;
  endLine?: number;
  /** Plain text (check-run annotations and SARIF messages do not render markdown). */
  message: string;
  level: 'notice' | 'warning' | 'failure';
}

/**
 * A line edit that fixes a violated rule: lines startLine..endLine of `path` become `replacement`.
 * Rendered as a ```suggestion block; see decision-locations.ts for what produces them.
 */
export interface RecourseSuggestion {
  /** `set/rule` of the rule it fixes. */
  rule: string;
  path: string;
  startLine: number;
  endLine?: number;
  replacement: string;
  /** What the edit does, one line of plain text. */
  description: string;
}

export interface DecisionCommentOptions {
  /** The gate key; the hidden marker `<!-- genops:gate:KEY -->` finds the comment again. */
  key: string;
  /** Link to the job summary with the full table (the truncation note points there). */
  summaryUrl?: string;
  runUrl?: string;
  /** Where to ask for a PolicyException (an issue template, a form). */
  requestExceptionUrl?: string;
  /** Default 65,536 (GitHub's comment limit). */
  maxChars?: number;
  suggestions?: readonly RecourseSuggestion[];
}

export interface DecisionSummaryOptions {
  /** The signed decision written by the step. */
  artifact?: { path: string; digest: string };
  /** Byte cap (UTF-8); default 1,000,000. */
  maxBytes?: number;
  /** Character cap (the check run's `output.text` uses 65,535). */
  maxChars?: number;
  /** Violation locations (check-run annotations), listed in a collapsed section. */
  locations?: readonly ViolationLocation[];
}

const GATE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The hidden first line of a gate's sticky comment. The key is checked: it goes into an HTML comment. */
export function commentMarker(key: string): string {
  if (!GATE_KEY.test(key)) throw new TypeError(`gate key ${JSON.stringify(key.slice(0, 80))} is not letters, digits, ".", "_" or "-" (at most 64)`);
  return `<!-- genops:gate:${key} -->`;
}

/** deny and require-approval fail the gate; warn and allow do not. */
export function isFailingDecision(decision: Decision): boolean {
  return decision === 'deny' || decision === 'require-approval';
}

const ICON: Readonly<Record<Decision, string>> = {
  allow: ':white_check_mark:',
  warn: ':warning:',
  'require-approval': ':raised_hand:',
  deny: ':x:',
};

const HEADLINE: Readonly<Record<Decision, string>> = {
  allow: 'passes',
  warn: 'passes with warnings',
  'require-approval': 'needs approval',
  deny: 'blocked',
};

const ruleRef = (r: Pick<PolicyResult, 'set' | 'rule'>): string => `${r.set}/${r.rule}`;
const rank = (d: Decision): number => DECISION_ORDER.indexOf(d);

/** Violated or errored results that count (effective decision above allow), strictest first. */
function counted(d: DecisionPredicate): PolicyResult[] {
  return d.results
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => (r.outcome === 'violated' || r.outcome === 'error') && r.effective !== 'allow')
    .sort((a, b) => rank(b.r.effective) - rank(a.r.effective) || a.i - b.i)
    .map(({ r }) => r);
}

/**
 * Inline text where `single-backtick` spans stay code (policy recourse names commands that way):
 * each span goes through mdCode, the rest through mdText. Newlines become spaces.
 */
export function mdInline(s: string): string {
  const out: string[] = [];
  let last = 0;
  for (const m of s.matchAll(/`([^`\r\n]+)`/g)) {
    out.push(mdText(s.slice(last, m.index)), mdCode(m[1] ?? ''));
    last = m.index + m[0].length;
  }
  out.push(mdText(s.slice(last)));
  return out.join('');
}

/** A fenced block that its content cannot close: the fence is longer than any backtick run in it. */
export function mdFence(content: string, info: string): string {
  // eslint-disable-next-line no-control-regex -- dropping control characters is the point
  const clean = content.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${clean}\n${fence}`;
}

/** A code span usable in a GFM table cell (the table splits on `|` even inside code). */
function cellCode(s: string): string {
  return mdCode(s).replace(/\|/g, '\\|');
}

function cut(s: string, max: number, note: string): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${note})`;
}

function countsLine(d: DecisionPredicate): string {
  const c = d.counts;
  return `${String(c.pass)} passed, ${String(c.violated)} violated, ${String(c.excepted)} excepted, ${String(c.error)} errors, ${String(c.skipped)} skipped`;
}

function headerLines(d: DecisionPredicate, key: string): string[] {
  const blocking = counted(d).filter((r) => isFailingDecision(r.effective)).length;
  const title = `### ${ICON[d.decision]} genops policy gate ${mdCode(key)}: ${d.decision} (${HEADLINE[d.decision]})`;
  const what =
    d.decision === 'allow' || d.decision === 'warn'
      ? blocking === 0
        ? 'Nothing blocks this change.'
        : `${String(blocking)} blocking rule(s) were overridden.`
      : `**${String(blocking)} rule(s) block this change.**`;
  const sha = d.change.sha.slice(0, 12);
  const pr = d.change.pullRequest === undefined ? '' : ` · pull request #${String(d.change.pullRequest)}`;
  return [
    title,
    '',
    `${what} Environment ${mdCode(d.environment)} · commit ${mdCode(sha)}${pr} · ${countsLine(d)} · policy bundle ${mdCode(`sha256:${d.policy.bundleDigest.slice(0, 12)}`)}`,
  ];
}

function breakGlassBlock(b: BreakGlass): string {
  const follow = b.followUp === undefined ? ' No follow-up issue could be opened: open one by hand.' : ` Follow-up: ${mdLink(`issue #${String(b.followUp.number)}`, b.followUp.url)}.`;
  return `> [!WARNING]\n> **Break-glass** by ${mdCode(b.by)} (${b.source === 'label' ? 'label' : 'workflow_dispatch'}) at ${mdText(b.grantedAt)}, valid until ${mdText(b.expiresAt)}: the ${mdCode(b.overridden)} decision is overridden to allow. Reason: ${mdText(cut(b.reason, 1000, 'cut'))}.${follow}`;
}

function contactsText(contacts: readonly string[]): string {
  // Code spans: a policy (which a pull request may edit) must not be able to ping a team.
  return contacts.map((c) => mdCode(c)).join(', ');
}

function suggestionBlock(s: RecourseSuggestion): string {
  const lines = s.endLine === undefined || s.endLine === s.startLine ? `line ${String(s.startLine)}` : `lines ${String(s.startLine)}–${String(s.endLine)}`;
  return `${mdText(s.description)} (${mdCode(s.path)}, ${lines}):\n\n${mdFence(s.replacement, 'suggestion')}`;
}

function riskRecourseText(d: DecisionPredicate): string | undefined {
  const risk = d.risk;
  const best = risk?.recourse[0];
  if (risk === undefined || best === undefined) return undefined;
  return `To lower the change risk (${risk.tier} ${risk.score.toFixed(3)} → ${best.tier} ${best.score.toFixed(3)}): ${best.actions.map((a) => mdInline(a.label)).join('; ')}.`;
}

/** One violated rule: what it says, and the smallest change that passes. */
function ruleBlock(r: PolicyResult, n: number, d: DecisionPredicate, suggestions: readonly RecourseSuggestion[], messageChars: number): string {
  const tag = r.outcome === 'error' ? `error → ${r.effective}` : r.effective;
  const lines = [`#### ${String(n)}. ${mdCode(ruleRef(r))} (${tag}${r.mode === 'enforce' ? '' : `, ${r.mode} mode`})`, '', mdText(r.title), ''];
  const text = r.outcome === 'error' ? `The rule could not be evaluated: ${r.error ?? r.message}` : r.message;
  lines.push(`> ${mdInline(cut(text, messageChars, 'cut; the full message is in the job summary'))}`, '');
  const fix: string[] = [];
  if (r.recourse !== undefined) fix.push(mdInline(r.recourse.summary));
  // Rules about the change's risk have no recourse of their own; risk-score's is the exact one.
  if (/\brisk\b/i.test(`${r.rule} ${r.title}`)) {
    const risk = riskRecourseText(d);
    if (risk !== undefined) fix.push(risk);
  }
  if (fix.length > 0) lines.push(`**Smallest change that passes:** ${fix.join(' ')}`);
  const extra: string[] = [];
  if (r.recourse?.docsUrl !== undefined && safeUrl(r.recourse.docsUrl) !== undefined) extra.push(mdLink('docs', r.recourse.docsUrl));
  if (r.recourse?.contacts !== undefined && r.recourse.contacts.length > 0) extra.push(`contacts: ${contactsText(r.recourse.contacts)}`);
  if (extra.length > 0) lines.push('', `${fix.length > 0 ? '' : '**Help:** '}${extra.join(' · ')}`);
  for (const s of suggestions.filter((x) => x.rule === ruleRef(r))) lines.push('', suggestionBlock(s));
  return lines.join('\n').trimEnd();
}

function exceptionLine(e: ExceptionReport, how: 'applied' | 'expired' | 'invalid'): string {
  const base = `${mdCode(e.name)} (rules ${e.rules.map((x) => mdCode(x)).join(', ')}; ticket ${mdText(e.ticket)}; approved by ${mdCode(e.approvedBy)}; expires ${mdText(e.expiresAt)})`;
  if (how === 'applied') return `- applied: ${base}${e.excused === undefined || e.excused.length === 0 ? '' : `, excused ${e.excused.map((x) => mdCode(x)).join(', ')}`}`;
  if (how === 'expired') return `- expired, not applied: ${base}`;
  return `- refused: ${base}: ${mdText(e.problem ?? 'invalid')}`;
}

function exceptionsBlock(d: DecisionPredicate, failing: readonly PolicyResult[], requestUrl: string | undefined): string | undefined {
  const ex = d.exceptions;
  const lines = [
    ...ex.applied.map((e) => exceptionLine(e, 'applied')),
    ...ex.expired.map((e) => exceptionLine(e, 'expired')),
    ...ex.invalid.map((e) => exceptionLine(e, 'invalid')),
  ].map((l) => cut(l, 2000, 'cut'));
  const excusable = failing.filter((r) => r.outcome === 'violated');
  if (lines.length === 0 && excusable.length === 0) return undefined;
  const out = ['#### Exceptions', ''];
  if (lines.length > 0) out.push(...lines, '');
  if (excusable.length > 0) {
    const ask = requestUrl === undefined || safeUrl(requestUrl) === undefined ? 'ask the rule owners (contacts above)' : mdLink('request an exception', requestUrl);
    out.push(
      `If this change must ship as it is, ${ask}: a \`PolicyException\` (genops.dev/v1) naming the rule (${excusable.map((r) => mdCode(ruleRef(r))).join(', ')}), a reason, a ticket, an approver who is not the author and an expiry at most 90 days out. Errors are never excused.`,
    );
  }
  return out.join('\n').trimEnd();
}

interface Blocks {
  head: string[];
  body: string[];
}

function commentBlocks(d: DecisionPredicate, opts: DecisionCommentOptions, messageChars: number): Blocks {
  const suggestions = opts.suggestions ?? [];
  const head = [headerLines(d, opts.key).join('\n')];
  if (d.breakGlass !== undefined) head.push(breakGlassBlock(d.breakGlass));
  if (d.requiredEnvironment !== undefined) {
    head.push(`Deploy through the protected environment ${mdCode(d.requiredEnvironment)}: its required reviewers approve the deployment.`);
  }
  const all = counted(d);
  const failing = all.filter((r) => isFailingDecision(r.effective));
  const warnings = all.filter((r) => r.effective === 'warn');
  const body: string[] = [];
  if (failing.length > 0) body.push(`#### What to change (${String(failing.length)})`);
  failing.forEach((r, i) => body.push(ruleBlock(r, i + 1, d, suggestions, messageChars)));
  if (warnings.length > 0) body.push(`#### Warnings (${String(warnings.length)}, not blocking)`);
  warnings.forEach((r, i) => body.push(ruleBlock(r, failing.length + i + 1, d, suggestions, messageChars)));
  const risk = riskRecourseText(d);
  if (risk !== undefined && isFailingDecision(d.decision) && !all.some((r) => /\brisk\b/i.test(`${r.rule} ${r.title}`))) body.push(risk);
  const exceptions = exceptionsBlock(d, failing, opts.requestExceptionUrl);
  if (exceptions !== undefined) body.push(exceptions);
  const contacts = [...new Set(all.flatMap((r) => r.recourse?.contacts ?? []))];
  if (contacts.length > 0) body.push(`**Contacts:** ${contactsText(contacts)}`);
  return { head, body };
}

function footer(opts: Pick<DecisionCommentOptions, 'summaryUrl' | 'runUrl'>): string {
  const links: string[] = [];
  if (opts.summaryUrl !== undefined && safeUrl(opts.summaryUrl) !== undefined) links.push(mdLink('full report (job summary)', opts.summaryUrl));
  if (opts.runUrl !== undefined && safeUrl(opts.runUrl) !== undefined) links.push(mdLink('workflow run', opts.runUrl));
  return `<sub>genops policy-gate${links.length === 0 ? '' : ` · ${links.join(' · ')}`}</sub>`;
}

function truncationNote(opts: Pick<DecisionCommentOptions, 'summaryUrl' | 'runUrl'>, left: number): string {
  const where =
    opts.summaryUrl !== undefined && safeUrl(opts.summaryUrl) !== undefined
      ? mdLink('the job summary', opts.summaryUrl)
      : opts.runUrl !== undefined && safeUrl(opts.runUrl) !== undefined
        ? `the job summary of the ${mdLink('workflow run', opts.runUrl)}`
        : "the workflow run's job summary";
  return `> [!NOTE]\n> Cut to fit GitHub's size limit: ${String(left)} more section(s) are in ${where}.`;
}

/** Whole blocks while they fit, then a note naming how many were left out. */
function pack(head: readonly string[], body: readonly string[], tail: string, max: number, note: (left: number) => string, size: (s: string) => number = (s) => s.length): string {
  const sep = '\n\n';
  let out = head.join(sep);
  if (size(out) > max) throw new RangeError(`the rendered header alone is over ${String(max)} characters`);
  for (let i = 0; i < body.length; i++) {
    const block = body[i] ?? '';
    const rest = body.length - i;
    // Room for this block, plus the note (should later blocks not fit) and the tail.
    const withNote = size(out + sep + block + sep + note(rest - 1) + sep + tail);
    if (i === body.length - 1 ? size(out + sep + block + sep + tail) <= max : withNote <= max) {
      out += sep + block;
    } else {
      return `${out}${sep}${note(rest)}${sep}${tail}\n`;
    }
  }
  return `${out}${sep}${tail}\n`;
}

/**
 * The sticky PR comment: marker, decision, each blocking rule with its message and the smallest
 * change that passes (recourse, risk-score's recourse for risk rules, suggestion blocks),
 * warnings, exceptions and how to request one, contacts. At most `maxChars` (65,536) characters:
 * long messages are cut first, then whole sections, with a note pointing to the job summary.
 */
export function renderDecisionComment(predicate: DecisionPredicate, opts: DecisionCommentOptions): string {
  const max = opts.maxChars ?? MAX_COMMENT_CHARS;
  const tail = footer(opts);
  const note = (left: number) => truncationNote(opts, left);
  let last = '';
  for (const messageChars of [4000, 1000, 300]) {
    const { head, body } = commentBlocks(predicate, opts, messageChars);
    last = pack([commentMarker(opts.key), ...head], body, tail, max, note);
    if (!last.includes('Cut to fit GitHub')) return last;
  }
  return last;
}

function resultRow(r: PolicyResult, n: number, cellChars: number): string {
  const text = r.outcome === 'error' ? `error: ${r.error ?? r.message}` : r.message;
  const effect = r.outcome === 'pass' || r.outcome === 'skipped' ? '' : r.effective;
  const fix = r.outcome === 'violated' || r.outcome === 'error' ? (r.recourse?.summary ?? '') : r.outcome === 'excepted' ? `excepted by ${r.exception ?? '?'}` : '';
  const cells = [
    String(n),
    cellCode(ruleRef(r)),
    mdTableCell(cut(r.title, 300, 'cut')),
    r.outcome,
    effect,
    r.mode,
    r.outcome === 'pass' || r.outcome === 'skipped' ? '' : mdTableCell(cut(text, cellChars, 'cut')),
    mdTableCell(cut(fix, cellChars, 'cut')),
  ];
  return `| ${cells.join(' | ')} |`;
}

/**
 * The job summary: the comment's header, then every result in one table (strictest first),
 * exceptions, policy sets, risk, the locations annotated, and the signed artifact. Capped at
 * `maxBytes` (UTF-8) or `maxChars`, whichever is given, cutting rows with a note.
 */
export function renderDecisionSummary(predicate: DecisionPredicate, opts: DecisionSummaryOptions = {}): string {
  const d = predicate;
  const order = d.results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => {
      const weight = (r: PolicyResult) => (r.outcome === 'violated' || r.outcome === 'error' ? rank(r.effective) * 10 : r.outcome === 'excepted' ? 5 : r.outcome === 'pass' ? 1 : 0);
      return weight(b.r) - weight(a.r) || a.i - b.i;
    })
    .map(({ r }) => r);
  const head = headerLines(d, d.key);
  if (d.breakGlass !== undefined) head.push('', breakGlassBlock(d.breakGlass));
  if (d.requiredEnvironment !== undefined) head.push('', `Deploy through the protected environment ${mdCode(d.requiredEnvironment)}.`);
  const tableHead = '| # | Rule | Title | Outcome | Effect | Mode | Message | Recourse |\n| ---: | --- | --- | --- | --- | --- | --- | --- |';
  const rows = order.map((r, i) => resultRow(r, i + 1, 2000));
  const blocks: string[] = [];
  // Rows are packed one by one; the table header is repeated in each chunk so a cut stays a table.
  const chunk = 25;
  for (let i = 0; i < rows.length; i += chunk) blocks.push(`${tableHead}\n${rows.slice(i, i + chunk).join('\n')}`);
  const ex = d.exceptions;
  const exRows = [
    ...ex.applied.map((e) => ({ e, s: 'applied' })),
    ...ex.expired.map((e) => ({ e, s: 'expired' })),
    ...ex.invalid.map((e) => ({ e, s: 'refused' })),
  ];
  if (exRows.length > 0) {
    blocks.push(
      [
        '#### Exceptions',
        '',
        '| Exception | State | Rules | Ticket | Approved by | Expires | Note |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        ...exRows.map(
          ({ e, s }) =>
            `| ${cellCode(e.name)} | ${s} | ${mdTableCell(e.rules.join(', '))} | ${mdTableCell(e.ticket)} | ${cellCode(e.approvedBy)} | ${mdTableCell(e.expiresAt)} | ${mdTableCell(cut(e.problem ?? (e.excused ?? []).join(', '), 500, 'cut'))} |`,
        ),
      ].join('\n'),
    );
  }
  blocks.push(
    [
      '#### Policy sets',
      '',
      '| Set | File | Mode | Rules |',
      '| --- | --- | --- | ---: |',
      ...d.policy.sets.map((s) => `| ${cellCode(s.name)} | ${cellCode(s.file)} | ${s.mode} | ${String(s.rules)} |`),
    ].join('\n'),
  );
  if (d.risk !== undefined) {
    const r = riskRecourseText(d);
    blocks.push(`#### Risk\n\n${d.risk.tier} (${d.risk.score.toFixed(3)}); canary plan ${d.risk.canaryPlan.join(' → ')} %.${r === undefined ? '' : ` ${r}`}`);
  }
  const locs = opts.locations ?? [];
  if (locs.length > 0) {
    blocks.push(
      [
        `<details><summary>${String(locs.length)} location(s) annotated</summary>`,
        '',
        '| Rule | File | Lines | Level | Message |',
        '| --- | --- | --- | --- | --- |',
        ...locs.map((l) => `| ${cellCode(l.rule)} | ${cellCode(l.path)} | ${String(l.startLine)}${l.endLine === undefined || l.endLine === l.startLine ? '' : `–${String(l.endLine)}`} | ${l.level} | ${mdTableCell(cut(l.message, 500, 'cut'))} |`),
        '',
        '</details>',
      ].join('\n'),
    );
  }
  const tail = opts.artifact === undefined ? '' : `Signed decision: ${mdCode(opts.artifact.path)} ${mdCode(opts.artifact.digest)}`;
  const note = (left: number) => `> [!NOTE]\n> Cut to fit the size limit: ${String(left)} more section(s) were left out; the signed decision artifact has every result.`;
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  if (opts.maxChars !== undefined) return pack([head.join('\n')], blocks, tail, opts.maxChars, note);
  return pack([head.join('\n')], blocks, tail, opts.maxBytes ?? MAX_SUMMARY_BYTES, note, bytes);
}

export interface CheckRunOutput {
  /** At most 255 characters. */
  title: string;
  /** Markdown, at most 65,535 characters: the comment's content. */
  summary: string;
  /** Markdown, at most 65,535 characters: the full table. */
  text: string;
}

/** The check run's title, summary (what the comment says) and text (the summary table). */
export function renderCheckRunOutput(
  predicate: DecisionPredicate,
  opts: Omit<DecisionCommentOptions, 'maxChars'> & { locations?: readonly ViolationLocation[] },
): CheckRunOutput {
  const failing = counted(predicate).filter((r) => isFailingDecision(r.effective));
  const warnings = counted(predicate).filter((r) => r.effective === 'warn');
  const parts = [
    failing.length > 0 ? `${String(failing.length)} blocking rule(s)` : undefined,
    warnings.length > 0 ? `${String(warnings.length)} warning(s)` : undefined,
    predicate.breakGlass === undefined ? undefined : 'break-glass',
  ].filter((p): p is string => p !== undefined);
  const title = clipText(`${predicate.decision}${parts.length === 0 ? `: ${String(predicate.counts.pass)} rules passed` : `: ${parts.join(', ')}`}`, 255);
  const comment = renderDecisionComment(predicate, { ...opts, maxChars: MAX_CHECK_OUTPUT_CHARS + commentMarker(opts.key).length + 2 });
  const summary = comment.slice(commentMarker(opts.key).length + 2);
  const text = renderDecisionSummary(predicate, { maxChars: MAX_CHECK_OUTPUT_CHARS, ...(opts.locations === undefined ? {} : { locations: opts.locations }) });
  return { title, summary, text };
}

// ---------------------------------------------------------------------------------------------
// SARIF 2.1.0

export interface SarifOptions {
  /** genops version, for tool.driver.version. */
  toolVersion?: string;
  /**
   * Where results with no evidence location point (e.g. the workflow file). Code scanning shows
   * only results with a location; without this they are uploaded but not displayed.
   */
  fallbackPath?: string;
}

const SARIF_LEVEL: Readonly<Record<Decision, 'error' | 'warning' | 'note'>> = {
  deny: 'error',
  'require-approval': 'error',
  warn: 'warning',
  allow: 'note',
};
/** Code scanning's severity property, 0-10. */
const SECURITY_SEVERITY: Readonly<Record<Decision, string>> = { deny: '8.0', 'require-approval': '6.0', warn: '4.0', allow: '0.0' };

/** SARIF forbids `..` and absolute paths for repository-relative URIs; percent-encodes the rest. */
function sarifUri(path: string): string | undefined {
  if (path === '' || path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('github:') || path.split('/').includes('..')) return undefined;
  return path.split('/').map(encodeURIComponent).join('/');
}

export type SarifLog = Record<string, unknown> & { version: '2.1.0'; runs: Record<string, unknown>[] };

/**
 * The violations as a SARIF 2.1.0 log for code scanning (`github/codeql-action/upload-sarif`):
 * one reportingDescriptor per violated rule with the recourse as help, one result per location
 * (or one without a location, or at `fallbackPath`, when the evidence has none). Plain data; the
 * step writes it with JSON.stringify.
 */
export function decisionSarif(predicate: DecisionPredicate, locations: readonly ViolationLocation[], opts: SarifOptions = {}): SarifLog {
  const violated = counted(predicate);
  const rules = violated.map((r) => {
    const help = r.recourse === undefined ? r.title : r.recourse.summary;
    const contacts = r.recourse?.contacts === undefined ? '' : ` Contacts: ${r.recourse.contacts.join(', ')}.`;
    const descriptor: Record<string, unknown> = {
      id: ruleRef(r),
      name: r.rule,
      shortDescription: { text: clipText(r.title, 1024) },
      fullDescription: { text: clipText(`${r.title} (policy set ${r.set}; ${r.decision} when violated)`, 1024) },
      help: { text: `${help}${contacts}`, markdown: `${mdInline(help)}${r.recourse?.contacts === undefined ? '' : ` Contacts: ${contactsText(r.recourse.contacts)}.`}` },
      defaultConfiguration: { level: SARIF_LEVEL[r.decision] },
      properties: { tags: ['genops', 'policy', r.set], 'security-severity': SECURITY_SEVERITY[r.decision] },
    };
    const docs = r.recourse?.docsUrl === undefined ? undefined : safeUrl(r.recourse.docsUrl);
    if (docs !== undefined) descriptor['helpUri'] = docs;
    return descriptor;
  });
  const results: Record<string, unknown>[] = [];
  violated.forEach((r, ruleIndex) => {
    const ref = ruleRef(r);
    const base = {
      ruleId: ref,
      ruleIndex,
      level: SARIF_LEVEL[r.effective],
      message: { text: clipText(r.outcome === 'error' ? `could not be evaluated: ${r.error ?? r.message}` : r.message, 8192) },
      properties: { outcome: r.outcome, effective: r.effective, mode: r.mode, gate: predicate.key, environment: predicate.environment },
      partialFingerprints: { 'genopsRule/v1': `${predicate.key}:${ref}` },
    };
    const mine = locations.filter((l) => l.rule === ref && sarifUri(l.path) !== undefined);
    for (const l of mine) {
      results.push({
        ...base,
        message: { text: clipText(l.message, 8192) },
        locations: [{ physicalLocation: { artifactLocation: { uri: sarifUri(l.path), uriBaseId: '%SRCROOT%' }, region: { startLine: l.startLine, endLine: l.endLine ?? l.startLine } } }],
        partialFingerprints: { 'genopsRule/v1': `${predicate.key}:${ref}:${l.path}:${String(l.startLine)}` },
      });
    }
    if (mine.length === 0) {
      const fallback = opts.fallbackPath === undefined ? undefined : sarifUri(opts.fallbackPath);
      results.push(fallback === undefined ? base : { ...base, locations: [{ physicalLocation: { artifactLocation: { uri: fallback, uriBaseId: '%SRCROOT%' }, region: { startLine: 1 } } }] });
    }
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'genops policy-gate',
            ...(opts.toolVersion === undefined ? {} : { version: opts.toolVersion }),
            rules,
          },
        },
        automationDetails: { id: `genops/policy-gate/${predicate.key}/` },
        results,
      },
    ],
  };
}
