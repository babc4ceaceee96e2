/**
 * Similar past incidents: incident and post-mortem records (markdown files, GitHub issues with a
 * label) indexed with BM25+ (minisearch), searched with the terms of a change: its paths, the
 * identifiers its diff adds and the components it touches. No language model; a pluggable
 * embedding retriever can sit next to this later.
 *
 * Modelling choices (numbers and why):
 * - Fields and boosts: title x2 and services/components x2 over the body x1. A title or a component
 *   list names what failed; a body also tells the story around it (timeline, people, actions).
 * - BM25+ with minisearch's defaults (k1 = 1.2, b = 0.7, delta = 0.5), summed over the matched query
 *   terms (times field boost and term weight; minisearch's extra factor "number of terms matched"
 *   is divided out). The score is not bounded: it grows with the number of matched terms and their
 *   rarity in the corpus, so thresholds depend on the corpus. It is reported rounded to 4 decimals.
 *   On the fixture corpus (fixtures/risk/incidents/, 22 records) the first match of each labelled
 *   query scores 17–118, other relevant top-3 matches 17–51, unrelated top-3 matches 8–27.
 * - Tokens: text is cut into runs of letters, digits and `_ . / -`; a run is split into path
 *   segments on `/`; each segment is kept whole (`connection-pool`, `acquireconnection`), without its
 *   extension (`refund_rounding` of `refund_rounding.py`), and in parts (on `. - _` and camelCase:
 *   `acquireConnection` gives `acquire`, `connection`). Whole segments let an exact identifier or
 *   file name count more than its parts; parts let `PoolTimeout` meet "pool timeout" in prose.
 *   Everything is lower-cased. Terms of 1–2 characters, longer than 64, without a letter (numbers,
 *   timestamps) and stop words (English function words and path scaffolding such as `src`,
 *   `lib`, `test`) are dropped. One exception: in service and component names (the records'
 *   `services`/`components`, the change's components and service) 2-character terms are kept,
 *   because packages are called `pg`, `ws` or `qs`.
 * - Query: the change's path terms, identifier terms (ChangeEvidence.identifiers), the names of
 *   components it adds or moves to another version (SBOM diff), the service name and the
 *   categories it falls in (`migration`, `infra`, ...); each term once, at most 300 terms (those
 *   named by the most paths and sources first). A change of more than 1,000 files is sampled
 *   evenly (every k-th path): the terms many paths share are in the sample too, and a 10,000-file
 *   change still builds its query and searches in a few milliseconds.
 *   Identifier terms weigh 0.5, the rest 1: a diff adds many names, most of them incidental,
 *   while a path or component is what the change is about (on the fixture queries 0.5 gives
 *   precision@3 0.633; 1 and 0.25 give 0.600).
 * - Records: body text capped at 20,000 characters, titles at 1,024, ids at 256 (the risk
 *   schema's bounds); at most 20 matched terms are reported per match. Duplicate ids are allowed
 *   (two `db.md` in different folders): matches are ordered by score, then id, then source.
 */
import { CORE_SCHEMA, load as loadYaml, YAMLException } from 'js-yaml';
import MiniSearch from 'minisearch';
import { ConfigError } from '../errors.js';
import type { Evidence } from '../evidence/model.js';
import type { IncidentMatch } from './model.js';
import { cutText } from '../evidence/source.js';

/** An incident or post-mortem record, as read from a markdown file or an issue. */
export interface IncidentDoc {
  id: string;
  title: string;
  /** Relative path of the markdown file, or the issue URL. */
  source: string;
  url?: string;
  /** As written (front matter `date`, or the issue's creation time). */
  date?: string;
  severity?: string;
  services: string[];
  components: string[];
  /** The text (capped at MAX_INCIDENT_BODY characters). */
  body: string;
}

export const MAX_INCIDENT_BODY = 20_000;
export const MAX_INCIDENT_TITLE = 1024;
export const MAX_INCIDENT_ID = 256;
/** Query terms kept at most, and paths read at most (see the module comment). */
export const MAX_QUERY_TERMS = 300;
export const MAX_QUERY_PATHS = 1000;
/** Matched terms reported per match. */
export const MAX_MATCH_TERMS = 20;
const MAX_LIST_ITEMS = 100;
const MAX_TERM = 64;
const MIN_TERM = 3;
/** Component and service names: `pg`, `ws`, `qs` are packages (see the module comment). */
const MIN_NAME_TERM = 2;
const IDENTIFIER_WEIGHT = 0.5;
const FIELD_BOOST = { title: 2, components: 2, body: 1 } as const;
const SCORE_DECIMALS = 1e4;

// ---------------------------------------------------------------------------------------------
// Tokens

/** English function words and path scaffolding: present everywhere, they say nothing about a change. */
const STOP_WORDS: ReadonlySet<string> = new Set([
  // English
  'the', 'and', 'for', 'with', 'was', 'were', 'are', 'not', 'but', 'this', 'that', 'these', 'those', 'from', 'into', 'onto', 'had', 'has',
  'have', 'been', 'being', 'its', 'our', 'out', 'off', 'all', 'any', 'can', 'could', 'would', 'should', 'will', 'than', 'then', 'when',
  'where', 'which', 'who', 'what', 'why', 'how', 'also', 'only', 'just', 'more', 'most', 'some', 'such', 'there', 'their', 'they', 'them',
  'each', 'both', 'very', 'did', 'does', 'per', 'via', 'about', 'after', 'before', 'over', 'under', 'again', 'because', 'while', 'during',
  'you', 'your', 'his', 'her', 'she', 'him', 'who', 'whom', 'nor', 'too', 'yet', 'may', 'might', 'must', 'other', 'same', 'own', 'once',
  // path scaffolding and file kinds
  'src', 'lib', 'pkg', 'internal', 'cmd', 'main', 'index', 'dist', 'build', 'test', 'tests', 'spec', 'specs', 'tsx', 'jsx', 'mjs', 'cjs',
  'mts', 'cts', 'packages', 'apps', 'e.g', 'i.e',
]);

const NON_ASCII_WORD = /[\p{L}\p{N}]/u;
const NON_ASCII_LETTER = /\p{L}/u;

// Character classes by UTF-16 code unit: an ASCII fast path (paths and code are mostly ASCII),
// Unicode properties otherwise. Surrogate halves are neither letters nor cases: a word in an
// astral script is cut there, which costs nothing here.
const isAsciiLetter = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
const isDigitCode = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isSeparatorCode = (c: number): boolean => c === 0x2e /* . */ || c === 0x2d /* - */ || c === 0x5f /* _ */;
/** Letters, digits, `_ . / -`: the characters of a chunk (a path, an identifier, a word). */
function isChunkCode(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x80) return isAsciiLetter(c) || isDigitCode(c) || isSeparatorCode(c) || c === 0x2f /* / */;
  return NON_ASCII_WORD.test(text[i] ?? '');
}
function isUpperAt(word: string, i: number): boolean {
  const c = word.charCodeAt(i);
  if (c < 0x80) return c >= 0x41 && c <= 0x5a;
  const ch = word[i] ?? '';
  return ch !== ch.toLowerCase() && ch === ch.toUpperCase();
}
function isLowerAt(word: string, i: number): boolean {
  const c = word.charCodeAt(i);
  if (c < 0x80) return c >= 0x61 && c <= 0x7a;
  const ch = word[i] ?? '';
  return ch !== ch.toUpperCase() && ch === ch.toLowerCase();
}

/** `PoolTimeoutError` → Pool, Timeout, Error; `HTTPServer` → HTTP, Server; digits stay with their word. */
function pushCamelParts(word: string, out: string[]): void {
  let start = 0;
  for (let i = 1; i < word.length; i++) {
    if (!isUpperAt(word, i)) continue;
    const prevLower = isLowerAt(word, i - 1);
    const prevDigit = isDigitCode(word.charCodeAt(i - 1));
    // The last capital of a run before a lower-case letter starts a word: HTTP|Server.
    const acronymEnd = isUpperAt(word, i - 1) && i + 1 < word.length && isLowerAt(word, i + 1);
    if (prevLower || prevDigit || acronymEnd) {
      out.push(word.slice(start, i));
      start = i;
    }
  }
  out.push(word.slice(start));
}

/** The parts of a path segment: split on `. - _`, then on camelCase. */
function segmentParts(segment: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i <= segment.length; i++) {
    if (i < segment.length && !isSeparatorCode(segment.charCodeAt(i))) continue;
    if (i > from) pushCamelParts(segment.slice(from, i), parts);
    from = i + 1;
  }
  return parts;
}

/** Segment `[a, b)` of `text` without leading and trailing `. - _`. */
function trimmedSegment(text: string, a: number, b: number): string {
  while (a < b && isSeparatorCode(text.charCodeAt(a))) a++;
  while (b > a && isSeparatorCode(text.charCodeAt(b - 1))) b--;
  return text.slice(a, b);
}

function pushSegmentTokens(segment: string, out: string[]): void {
  const parts = segmentParts(segment);
  if (parts.length > 1) {
    out.push(segment.toLowerCase());
    const dot = segment.lastIndexOf('.');
    if (dot > 0) {
      const stem = trimmedSegment(segment, 0, dot);
      if (stem !== '' && segmentParts(stem).length > 1) out.push(stem.toLowerCase());
    }
  }
  for (const p of parts) out.push(p.toLowerCase());
}

/**
 * Raw tokens of a text (before `processIncidentTerm`): per path segment the whole segment, its
 * stem without the extension, and its parts (see the module comment). Lower-case. One pass.
 */
export function tokenizeIncidentText(text: string): string[] {
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isChunkCode(text, i)) {
      i++;
      continue;
    }
    // A chunk: cut into segments at each `/`.
    let segmentStart = i;
    while (i <= n) {
      const end = i === n || !isChunkCode(text, i);
      if (end || text.charCodeAt(i) === 0x2f) {
        const segment = trimmedSegment(text, segmentStart, i);
        if (segment !== '') pushSegmentTokens(segment, out);
        segmentStart = i + 1;
        if (end) break;
      }
      i++;
    }
  }
  return out;
}

function hasLetter(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x80 ? isAsciiLetter(c) : NON_ASCII_LETTER.test(t[i] ?? '')) return true;
  }
  return false;
}

/**
 * A token as indexed and searched, or null when it carries no meaning (see the module comment).
 * `minLength` is 3, or 2 for service and component names.
 */
export function processIncidentTerm(term: string, minLength = MIN_TERM): string | null {
  const t = term.toLowerCase();
  if (t.length < minLength || t.length > MAX_TERM || STOP_WORDS.has(t) || !hasLetter(t)) return null;
  return t;
}

/** The terms of a text as the index sees them: tokens, processed, in order (repeats kept). */
export function incidentTerms(text: string, minLength = MIN_TERM): string[] {
  const out: string[] = [];
  for (const token of tokenizeIncidentText(text)) {
    const t = processIncidentTerm(token, minLength);
    if (t !== null) out.push(t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Records: markdown files and issues

const FRONT_MATTER_OPEN = '---';
const FRONT_MATTER_CLOSE = new Set(['---', '...']);

/**
 * An incident record from a markdown file: optional YAML front matter (`id`, `title`, `date`,
 * `services`, `components`, `severity`, `url`; other keys are ignored), else the first `# heading`
 * is the title and the file name (without extension) the id.
 */
export function parseIncidentMarkdown(path: string, text: string): IncidentDoc {
  const normalized = (text.startsWith('\uFEFF') ? text.slice(1) : text).replace(/\r\n?/g, '\n');
  const lines = normalized.split('\n');
  let meta: Record<string, unknown> = {};
  let bodyStart = 0;
  if ((lines[0] ?? '').trimEnd() === FRONT_MATTER_OPEN) {
    const end = lines.findIndex((l, i) => i > 0 && FRONT_MATTER_CLOSE.has(l.trimEnd()));
    if (end < 0) {
      throw new ConfigError('FILE_INVALID', `incident record ${path}: the front matter opened on line 1 is never closed`, {
        file: path,
        line: 1,
        expected: 'YAML front matter between two `---` lines, then the markdown text',
        hint: 'Close the front matter with a `---` line, or remove the `---` on line 1.',
      });
    }
    meta = frontMatter(path, lines.slice(1, end).join('\n'));
    bodyStart = end + 1;
  }
  const body = lines.slice(bodyStart).join('\n');
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const fileId = dot > 0 ? name.slice(0, dot) : name;

  const id = scalar(path, meta, 'id') ?? fileId;
  const title = scalar(path, meta, 'title') ?? firstHeading(body) ?? fileId;
  const doc: IncidentDoc = {
    id: cutText(id === '' ? fileId : id, MAX_INCIDENT_ID),
    title: cutText(title, MAX_INCIDENT_TITLE),
    source: path,
    services: stringList(path, meta, 'services'),
    components: stringList(path, meta, 'components'),
    body: cutText(body, MAX_INCIDENT_BODY),
  };
  const date = scalar(path, meta, 'date');
  const severity = scalar(path, meta, 'severity');
  const url = scalar(path, meta, 'url');
  if (date !== undefined) doc.date = date;
  if (severity !== undefined) doc.severity = severity;
  if (url !== undefined) doc.url = url;
  return doc;
}

function frontMatter(path: string, yaml: string): Record<string, unknown> {
  // js-yaml refuses an empty document; empty front matter (or only comments) sets nothing.
  if (yaml.split('\n').every((l) => l.trim() === '' || l.trimStart().startsWith('#'))) return {};
  let value: unknown;
  try {
    // Core schema: no custom tags, and dates stay strings.
    value = loadYaml(yaml, { schema: CORE_SCHEMA, filename: path, maxAliases: 100, maxDepth: 16 });
  } catch (e) {
    if (e instanceof YAMLException) {
      throw new ConfigError('FILE_INVALID', `incident record ${path}: the front matter is not valid YAML: ${e.reason}`, {
        file: path,
        // +2: the front matter starts after the `---` on line 1.
        ...(e.mark === undefined ? {} : { line: e.mark.line + 2, column: e.mark.column + 1 }),
        expected: 'YAML front matter such as `id: INC-42`, `title: ...`, `services: [payments]`',
        hint: 'Fix the YAML between the `---` lines (quote values that contain `:` or `#`).',
      });
    }
    throw e;
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('FILE_INVALID', `incident record ${path}: the front matter is not a mapping of keys to values`, {
      file: path,
      line: 2,
      expected: 'YAML keys such as `id: INC-42` and `title: ...`',
      hint: 'Write the front matter as `key: value` lines.',
    });
  }
  return value as Record<string, unknown>;
}

function scalar(path: string, meta: Record<string, unknown>, key: string): string | undefined {
  const v = meta[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ConfigError('FILE_INVALID', `incident record ${path}: front matter \`${key}\` is a ${Array.isArray(v) ? 'list' : 'mapping'}, not a single value`, {
    file: path,
    expected: `\`${key}\` as one string, e.g. \`${key}: ${key === 'date' ? '2025-03-14' : key === 'severity' ? 'SEV2' : 'INC-42'}\``,
    hint: `Write \`${key}\` as a single value.`,
  });
}

function stringList(path: string, meta: Record<string, unknown>, key: string): string[] {
  const v = meta[key];
  if (v === undefined || v === null) return [];
  // `services: payments, ledger` is a common shorthand for a list.
  const items: unknown[] = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string' && typeof item !== 'number') {
      throw new ConfigError('FILE_INVALID', `incident record ${path}: front matter \`${key}\` must be a list of names`, {
        file: path,
        expected: `\`${key}: [payments-api, ledger]\``,
        hint: `List \`${key}\` as names (strings).`,
      });
    }
    const s = String(item).trim();
    if (s !== '' && out.length < MAX_LIST_ITEMS) out.push(cutText(s, MAX_INCIDENT_ID));
  }
  return out;
}

/** The first level-1 ATX heading (`# Title`) outside fenced code blocks. */
function firstHeading(body: string): string | undefined {
  let fence: string | undefined;
  for (const line of body.split('\n')) {
    const t = line.trimStart();
    if (t.startsWith('```') || t.startsWith('~~~')) {
      const marker = t.slice(0, 3);
      if (fence === undefined) fence = marker;
      else if (marker === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    if (t.startsWith('# ') || t === '#') {
      const title = t.slice(1).trim().replace(/\s#+$/, '').trim();
      if (title !== '') return title;
    }
  }
  return undefined;
}

/** An issue as the REST API lists it (only what is read here). */
export interface IncidentIssue {
  number: number;
  title: string;
  body?: string | null;
  html_url: string;
  labels: readonly (string | { name?: string | null })[];
  created_at?: string;
}

const LABEL_FIELDS: readonly { prefixes: readonly string[]; field: 'services' | 'components' | 'severity' }[] = [
  { prefixes: ['service:', 'service/'], field: 'services' },
  { prefixes: ['component:', 'component/'], field: 'components' },
  { prefixes: ['severity:', 'severity/', 'sev:', 'sev/'], field: 'severity' },
];

/**
 * Incident records from issues: id `#<number>`, the issue's title, body and link. Labels such as
 * `service:payments`, `component:postgres` and `severity:SEV1` (also with `/`) fill the services,
 * components and severity; the labels' other names are added to the components, so an
 * `incident` + `database` issue is found by a migration.
 */
export function incidentsFromIssues(issues: readonly IncidentIssue[]): IncidentDoc[] {
  return issues.map((issue) => {
    const services: string[] = [];
    const components: string[] = [];
    let severity: string | undefined;
    for (const l of issue.labels) {
      const name = (typeof l === 'string' ? l : (l.name ?? '')).trim();
      if (name === '') continue;
      const lower = name.toLowerCase();
      let rule: (typeof LABEL_FIELDS)[number] | undefined;
      let prefix = '';
      for (const r of LABEL_FIELDS) {
        const p = r.prefixes.find((x) => lower.startsWith(x));
        if (p !== undefined) {
          rule = r;
          prefix = p;
          break;
        }
      }
      if (rule === undefined) {
        components.push(name);
        continue;
      }
      const value = name.slice(prefix.length).trim();
      if (value === '') continue;
      if (rule.field === 'severity') severity ??= value;
      else (rule.field === 'services' ? services : components).push(value);
    }
    const doc: IncidentDoc = {
      id: `#${String(issue.number)}`,
      title: cutText(issue.title, MAX_INCIDENT_TITLE),
      source: issue.html_url,
      url: issue.html_url,
      services: services.slice(0, MAX_LIST_ITEMS),
      components: components.slice(0, MAX_LIST_ITEMS),
      body: cutText(issue.body ?? '', MAX_INCIDENT_BODY),
    };
    if (issue.created_at !== undefined) doc.date = issue.created_at;
    if (severity !== undefined) doc.severity = severity;
    return doc;
  });
}

// ---------------------------------------------------------------------------------------------
// Index and search

interface IndexedDoc {
  key: number;
  title: string;
  components: string;
  body: string;
}

/** A BM25+ index of incident records (build once per run, search per change). */
export interface IncidentIndex {
  readonly docs: readonly IncidentDoc[];
  readonly search: MiniSearch<IndexedDoc>;
}

export function buildIncidentIndex(docs: readonly IncidentDoc[]): IncidentIndex {
  const search = new MiniSearch<IndexedDoc>({
    idField: 'key',
    fields: ['title', 'components', 'body'],
    tokenize: tokenizeIncidentText,
    processTerm: (term: string, field?: string) => processIncidentTerm(term, field === 'components' ? MIN_NAME_TERM : MIN_TERM),
    searchOptions: { boost: { ...FIELD_BOOST }, prefix: false, fuzzy: false, combineWith: 'OR' },
  });
  search.addAll(
    docs.map((d, key) => ({
      key,
      title: d.title,
      components: [...d.services, ...d.components].join(' '),
      body: d.body,
    })),
  );
  return { docs: [...docs], search };
}

/** The query terms of a change (see the module comment), with the weight of each. */
export interface IncidentQuery {
  terms: string[];
  /** Per term (same order): 1 for path, component, service and category terms; 0.5 for identifier-only terms. */
  weights: number[];
}

/** What in the evidence describes the change, as search terms. */
export function queryFromEvidence(e: Evidence): IncidentQuery {
  // term -> [weight, how many sources named it]
  const found = new Map<string, { weight: number; count: number }>();
  const count = (terms: Iterable<string>, weight: number): void => {
    for (const t of terms) {
      const f = found.get(t);
      if (f === undefined) found.set(t, { weight, count: 1 });
      else {
        f.weight = Math.max(f.weight, weight);
        f.count++;
      }
    }
  };
  const add = (text: string, weight: number, minLength = MIN_TERM): void => count(new Set(incidentTerms(text, minLength)), weight);
  // Paths share directories: each segment is tokenized once (`/` only separates, so a path's terms
  // are its segments' terms).
  const segmentTerms = new Map<string, string[]>();
  const addPath = (path: string): void => {
    const terms = new Set<string>();
    for (const segment of path.split('/')) {
      let ts = segmentTerms.get(segment);
      if (ts === undefined) {
        ts = incidentTerms(segment);
        segmentTerms.set(segment, ts);
      }
      for (const t of ts) terms.add(t);
    }
    count(terms, 1);
  };
  const change = e.change;
  if (change !== null) {
    const stride = Math.ceil(change.files.length / MAX_QUERY_PATHS);
    for (let i = 0; i < change.files.length; i += stride) {
      const f = change.files[i];
      if (f === undefined) continue;
      addPath(f.path);
      if (f.previousPath !== undefined) addPath(f.previousPath);
    }
    for (const id of change.identifiers ?? []) add(id, IDENTIFIER_WEIGHT);
    for (const [category, files] of Object.entries(change.categories)) if (files > 0) add(category, 1);
  }
  const diff = e.sbomDiff;
  if (diff !== null) {
    for (const c of [...diff.added, ...diff.upgraded, ...diff.downgraded, ...diff.changed]) add(componentName(c.name, c.purl), 1, MIN_NAME_TERM);
  }
  if (e.service !== null) add(e.service.app, 1, MIN_NAME_TERM);

  const ranked = [...found].sort(([a, x], [b, y]) => y.count - x.count || y.weight - x.weight || (a < b ? -1 : a > b ? 1 : 0)).slice(0, MAX_QUERY_TERMS);
  return { terms: ranked.map(([t]) => t), weights: ranked.map(([, f]) => f.weight) };
}

/** `@scope/name` from an npm purl (`pkg:npm/%40scope/name@1.2.3`), else the component's name. */
function componentName(name: string, purl: string | undefined): string {
  if (purl === undefined || !purl.startsWith('pkg:')) return name;
  const path = purl.slice(4).split(/[?#@]/)[0] ?? '';
  const slash = path.indexOf('/');
  let decoded = path.slice(slash + 1);
  try {
    decoded = decodeURIComponent(decoded);
  } catch {
    // a malformed escape: keep the text as it is
  }
  return `${name} ${decoded}`;
}

/**
 * The `top` incident records most similar to the change, best first (score, then id, then
 * source). Records matching none of the change's terms are not returned.
 */
export function findSimilarIncidents(index: IncidentIndex, e: Evidence, top: number): IncidentMatch[] {
  if (!Number.isInteger(top) || top < 0) {
    throw new ConfigError('INPUT_INVALID', `incidents.top must be a whole number of at least 0, got ${String(top)}`, {
      expected: 'incidents.top: 3 (0 turns the search off)',
    });
  }
  if (top === 0 || index.docs.length === 0) return [];
  return searchIncidents(index, queryFromEvidence(e), top);
}

/** Search the index with a query (terms already processed, as queryFromEvidence gives them). */
export function searchIncidents(index: IncidentIndex, query: IncidentQuery, top: number): IncidentMatch[] {
  if (query.terms.length === 0 || top <= 0) return [];
  const weightOf = new Map(query.terms.map((t, i) => [t, query.weights[i] ?? 1]));
  const results = index.search.search(query.terms.join(' '), {
    tokenize: (s: string) => s.split(' '),
    processTerm: (t: string) => t,
    boostTerm: (term: string) => weightOf.get(term) ?? 1,
  });
  const matches: IncidentMatch[] = [];
  for (const r of results) {
    const doc = index.docs[r.id as number];
    // minisearch multiplies an OR query's score by the number of terms matched; undone, so the
    // score is the plain (weighted) BM25+ sum that the module comment and the config speak of.
    const score = r.score / Math.max(1, r.queryTerms.length);
    if (doc === undefined || !Number.isFinite(score) || score <= 0) continue;
    const terms = [...new Set(r.queryTerms)].sort().slice(0, MAX_MATCH_TERMS);
    const m: IncidentMatch = { id: doc.id, title: doc.title, source: doc.source, score: Math.round(score * SCORE_DECIMALS) / SCORE_DECIMALS, terms };
    if (doc.url !== undefined) m.url = doc.url;
    matches.push(m);
  }
  matches.sort((a, b) => b.score - a.score || cmp(a.id, b.id) || cmp(a.source, b.source));
  return matches.slice(0, top);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
