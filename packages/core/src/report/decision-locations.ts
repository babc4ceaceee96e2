/**
 * Where in the repository a decision's violations are, and line edits that fix them. Pure.
 *
 * A PolicyResult has no file or line: those come from the evidence the rule read.
 * - `ruleEvidenceReads(bundle)`: which evidence sections each rule's CEL reads (its `when`,
 *   `expression` and `messageExpression`, and the variables they use, transitively).
 * - `violationLocations(decision, evidence, reads)`: for each violated rule,
 *   vulnerabilities: the locations of the findings its message names (id, alias or SARIF rule id,
 *   as the supply-chain pack's messages do), whatever it reads;
 *   coverage (rules that read `evidence.coverage`): the uncovered changed lines;
 *   tests (rules that read `evidence.tests`): failed tests with a file and line.
 *   Without `reads` only the vulnerability matching applies.
 * - `serviceMetadataSuggestions(decision, file)`: the line edits produced today, for the metadata
 *   pack's `service-metadata-present`: add the missing keys to genops.yaml, or the genops
 *   annotations to a Backstage catalog-info.yaml, with empty values to fill in (checked by
 *   re-parsing the edited file: the same document plus exactly those keys).
 */
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import type { Evidence, Finding } from '../evidence/model.js';
import { BACKSTAGE_ANNOTATIONS, SERVICE_METADATA_KEYS } from '../evidence/service.js';
import { canonicalJson } from '../artifact/canonical.js';
import type { DecisionPredicate } from '../policy/decision-model.js';
import type { PolicyBundle, PolicyResult } from '../policy/model.js';
import type { RecourseSuggestion, ViolationLocation } from './decision.js';

/** At most this many locations (20 check-run update requests of 50 annotations). */
export const MAX_VIOLATION_LOCATIONS = 1000;

/** `set/rule` → the top-level evidence sections its expressions read (`vulnerabilities`, `coverage`, ...). */
export type RuleEvidenceReads = Readonly<Record<string, readonly string[]>>;

const EVIDENCE_READ = /\bevidence\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"'\]]+)["']\s*\])/g;

function sectionsIn(source: string): string[] {
  return [...source.matchAll(EVIDENCE_READ)].map((m) => m[1] ?? m[2] ?? '').filter((s) => s !== '');
}

export function ruleEvidenceReads(bundle: Pick<PolicyBundle, 'sets'>): RuleEvidenceReads {
  const out: Record<string, string[]> = {};
  for (const set of bundle.sets) {
    const byVariable = new Map<string, Set<string>>();
    const readsOf = (expr: { source: string; variablesUsed: readonly string[] }): Set<string> => {
      const s = new Set(sectionsIn(expr.source));
      for (const v of expr.variablesUsed) for (const x of byVariable.get(v) ?? []) s.add(x);
      return s;
    };
    for (const v of set.variables) byVariable.set(v.name, readsOf(v.expression));
    for (const rule of set.rules) {
      const all = new Set<string>();
      for (const e of [rule.when, rule.expression, rule.messageExpression]) if (e !== undefined) for (const x of readsOf(e)) all.add(x);
      out[`${set.name}/${rule.doc.id}`] = [...all].sort();
    }
  }
  return out;
}

/** A workspace-relative path an annotation can point at (not `github:…`, absolute or `..`). */
function annotatable(path: string): boolean {
  return path !== '' && !path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path) && !path.startsWith('github:') && !path.split('/').includes('..');
}

/** `id` appears in `text` as a whole token (not inside a longer id). */
function names(text: string, id: string): boolean {
  if (id === '') return false;
  let at = text.indexOf(id);
  while (at >= 0) {
    const before = text[at - 1];
    const after = text[at + id.length];
    if ((before === undefined || !/[A-Za-z0-9_-]/.test(before)) && (after === undefined || !/[A-Za-z0-9_-]/.test(after))) return true;
    at = text.indexOf(id, at + 1);
  }
  return false;
}

function findingText(f: Finding): string {
  const pkg = f.package === undefined ? '' : ` in ${f.package.name}${f.package.version === undefined ? '' : `@${f.package.version}`}`;
  const fix = f.fixedIn.length > 0 ? `; fixed in ${f.fixedIn.join(' / ')}` : '';
  return `${f.id} (${f.severity})${pkg}${f.title === undefined ? '' : `: ${f.title}`}${fix}`;
}

export function violationLocations(decision: Pick<DecisionPredicate, 'results'>, evidence: Evidence, reads?: RuleEvidenceReads): ViolationLocation[] {
  const out: ViolationLocation[] = [];
  const seen = new Set<string>();
  const add = (l: ViolationLocation): void => {
    const key = `${l.rule}\u0000${l.path}\u0000${String(l.startLine)}\u0000${String(l.endLine ?? l.startLine)}`;
    if (out.length >= MAX_VIOLATION_LOCATIONS || seen.has(key) || !annotatable(l.path)) return;
    seen.add(key);
    out.push(l);
  };
  const violated = decision.results.filter((r): r is PolicyResult => r.outcome === 'violated' && r.effective !== 'allow');
  for (const r of violated) {
    const rule = `${r.set}/${r.rule}`;
    const level = r.effective === 'warn' ? 'warning' : 'failure';
    const ruleReads = reads?.[rule];
    for (const f of evidence.vulnerabilities?.findings ?? []) {
      if (f.suppressed || ![f.id, ...f.aliases, f.rule ?? ''].some((id) => names(r.message, id))) continue;
      for (const l of f.locations) {
        add({ rule, path: l.path, startLine: l.startLine ?? 1, ...(l.endLine === undefined ? {} : { endLine: l.endLine }), message: `${findingText(f)} (${r.title})`, level });
      }
    }
    if (ruleReads?.includes('coverage') === true) {
      for (const u of evidence.coverage?.changedLines?.uncovered ?? []) {
        for (const [start, end] of u.ranges) {
          const lines = start === end ? `line ${String(start)} is` : `lines ${String(start)}-${String(end)} are`;
          add({ rule, path: u.path, startLine: start, endLine: end, message: `Changed ${lines} not covered by tests (${r.title})`, level });
        }
      }
    }
    if (ruleReads?.includes('tests') === true) {
      for (const t of evidence.tests?.failures ?? []) {
        if (t.file === undefined || t.line === undefined) continue;
        add({ rule, path: t.file, startLine: t.line, message: `Test failed: ${t.suite} > ${t.name}${t.message === undefined ? '' : `: ${t.message}`} (${r.title})`, level });
      }
    }
  }
  return out;
}

const METADATA_KEYS: ReadonlySet<string> = new Set(SERVICE_METADATA_KEYS);

function loadOneMapping(text: string): Record<string, unknown> | undefined {
  try {
    const docs = loadAll(text, { schema: CORE_SCHEMA, maxAliases: 100, maxDepth: 64 });
    const doc = docs[0];
    return docs.length === 1 && doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The service metadata keys a violated `service-metadata-present` names (`is missing: a, b.`, the metadata pack's wording). */
function missingKeysOf(r: Pick<PolicyResult, 'outcome' | 'rule' | 'message'>): string[] {
  if (r.outcome !== 'violated' || r.rule !== 'service-metadata-present') return [];
  const listed = /is missing: ([A-Za-z, ]+)\.?\s*$/.exec(r.message)?.[1];
  return listed === undefined ? [] : listed.split(',').map((k) => k.trim()).filter((k) => METADATA_KEYS.has(k));
}

const TODO = '""  # TODO: fill in';

/**
 * For a violated `service-metadata-present` (see missingKeysOf), a line edit that adds the missing
 * keys, each as an empty value marked TODO:
 * - genops.yaml: appended after the last line;
 * - a Backstage Component (catalog-info.yaml): the `genops.dev/environment` and
 *   `genops.dev/cost-center` annotations, under `metadata.annotations` (created when absent),
 *   indented like the file; `metadata.name` and `spec.owner` are Backstage's own required
 *   fields, so no edit is offered for them.
 * The edited file must re-parse to the same document plus exactly the added keys, or there is no
 * suggestion. None for a multi-document or flow-style file, or keys present with an empty value.
 */
export function serviceMetadataSuggestions(decision: Pick<DecisionPredicate, 'results'>, file: { path: string; text: string }): RecourseSuggestion[] {
  const doc = loadOneMapping(file.text);
  if (doc === undefined || !annotatable(file.path)) return [];
  const lines = file.text.replace(/\r\n?/g, '\n').split('\n');
  const firstContent = lines.find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (firstContent === undefined || /^\s*[{[]/.test(firstContent) || /^(---|\.\.\.)/.test(firstContent)) return [];
  const out: RecourseSuggestion[] = [];
  for (const r of decision.results) {
    const missing = missingKeysOf(r);
    if (missing.length === 0) continue;
    const edit = 'apiVersion' in doc ? backstageEdit(doc, lines, missing) : genopsEdit(doc, lines, missing);
    if (edit === undefined) continue;
    const edited = [...lines.slice(0, edit.line), edit.replacement, ...lines.slice(edit.line + 1)].join('\n');
    const after = loadOneMapping(edited);
    if (after === undefined || canonicalJson(after) !== canonicalJson(edit.expected)) continue;
    out.push({ rule: `${r.set}/${r.rule}`, path: file.path, startLine: edit.line + 1, replacement: edit.replacement, description: `Add ${edit.keys.join(', ')} to ${file.path} and fill in the values` });
  }
  return out;
}

interface MetadataEdit {
  /** 0-based line the replacement replaces. */
  line: number;
  replacement: string;
  /** The document the edited file must parse to. */
  expected: Record<string, unknown>;
  keys: string[];
}

function genopsEdit(doc: Record<string, unknown>, lines: readonly string[], missing: readonly string[]): MetadataEdit | undefined {
  const keys = missing.filter((k) => !(k in doc));
  let last = lines.length - 1;
  while (last >= 0 && (lines[last] ?? '').trim() === '') last--;
  if (keys.length === 0 || last < 0) return undefined;
  const expected: Record<string, unknown> = { ...doc };
  for (const k of keys) expected[k] = '';
  return { line: last, replacement: [lines[last] ?? '', ...keys.map((k) => `${k}: ${TODO}`)].join('\n'), expected, keys };
}

const indentOf = (l: string): number => l.length - l.trimStart().length;
const isContent = (l: string | undefined): l is string => l !== undefined && l.trim() !== '' && !l.trimStart().startsWith('#');

function backstageEdit(doc: Record<string, unknown>, lines: readonly string[], missing: readonly string[]): MetadataEdit | undefined {
  const metadata = doc.metadata;
  if (doc.kind !== 'Component' || typeof doc.apiVersion !== 'string' || !doc.apiVersion.startsWith('backstage.io/') || metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return undefined;
  const meta = metadata as Record<string, unknown>;
  const annotations = meta.annotations ?? {};
  if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) return undefined;
  const present = annotations as Record<string, unknown>;
  const keys = missing.filter((k): k is 'environment' | 'costCenter' => (k === 'environment' || k === 'costCenter') && !(BACKSTAGE_ANNOTATIONS[k] in present));
  if (keys.length === 0) return undefined;
  const metaLine = lines.findIndex((l) => /^metadata:\s*(#.*)?$/.test(l));
  if (metaLine < 0) return undefined;
  // metadata's block: the lines after it up to the next top-level key; its children's indent.
  let blockEnd = metaLine + 1;
  while (blockEnd < lines.length && !(isContent(lines[blockEnd]) && indentOf(lines[blockEnd] ?? '') === 0)) blockEnd++;
  const firstChild = lines.slice(metaLine + 1, blockEnd).find(isContent);
  if (firstChild === undefined || indentOf(firstChild) === 0) return undefined;
  const unit = firstChild.slice(0, indentOf(firstChild));
  const entries = keys.map((k) => `${JSON.stringify(BACKSTAGE_ANNOTATIONS[k])}: ${TODO}`);
  const expected = { ...doc, metadata: { ...meta, annotations: { ...present, ...Object.fromEntries(keys.map((k) => [BACKSTAGE_ANNOTATIONS[k], ''])) } } };
  const annLine = lines.findIndex((l, i) => i > metaLine && i < blockEnd && l.startsWith(unit) && indentOf(l) === unit.length && /^annotations:\s*(#.*)?$/.test(l.trimStart()));
  if (annLine < 0) {
    return { line: metaLine, replacement: [lines[metaLine] ?? '', `${unit}annotations:`, ...entries.map((e) => `${unit}${unit}${e}`)].join('\n'), expected, keys };
  }
  const next = lines.slice(annLine + 1, blockEnd).find(isContent);
  const inner = next !== undefined && indentOf(next) > unit.length ? next.slice(0, indentOf(next)) : `${unit}${unit}`;
  return { line: annLine, replacement: [lines[annLine] ?? '', ...entries.map((e) => `${inner}${e}`)].join('\n'), expected, keys };
}
