// Property tests of similar-incident retrieval: any records and any change give a bounded,
// ordered, deterministic answer; any markdown parses or is a ConfigError.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError } from '../../src/errors.js';
import type { Evidence } from '../../src/evidence/model.js';
import {
  buildIncidentIndex,
  findSimilarIncidents,
  incidentTerms,
  MAX_INCIDENT_BODY,
  MAX_INCIDENT_ID,
  MAX_INCIDENT_TITLE,
  MAX_MATCH_TERMS,
  parseIncidentMarkdown,
  type IncidentDoc,
} from '../../src/risk/incidents.js';

const RUNS = { numRuns: 200, seed: 42 };

// Words that make matches likely, mixed with arbitrary text (any Unicode, punctuation, paths).
const word = fc.constantFrom('pool', 'migration', 'refund', 'acquireConnection', 'MAX_POOL_SIZE', 'redis', 'tls', 'pg', 'src/db/pool.ts', 'k8s', 'retry', 'the', '—', '日本', '');
const text = fc.oneof(fc.array(word, { maxLength: 30 }).map((ws) => ws.join(' ')), fc.string({ unit: 'binary', maxLength: 300 }));
const docArb: fc.Arbitrary<Omit<IncidentDoc, 'id'>> = fc.record({
  title: text,
  source: fc.string({ maxLength: 20 }),
  services: fc.array(text, { maxLength: 3 }),
  components: fc.array(text, { maxLength: 3 }),
  body: text,
});
const docsArb = fc.array(docArb, { maxLength: 12 }).map((ds) => ds.map((d, i) => ({ ...d, id: `D${String(i).padStart(2, '0')}` })));

const pathArb = fc.oneof(fc.array(word, { minLength: 1, maxLength: 4 }).map((ws) => ws.join('/')), fc.string({ unit: 'binary', maxLength: 60 }));
const evidenceArb: fc.Arbitrary<Evidence> = fc
  .record({
    paths: fc.array(pathArb, { maxLength: 10 }),
    identifiers: fc.option(fc.array(text, { maxLength: 10 }), { nil: undefined }),
    components: fc.array(fc.record({ name: text, purl: fc.option(fc.string({ maxLength: 40 }).map((s) => `pkg:npm/${s}`), { nil: undefined }) }), { maxLength: 4 }),
    app: fc.option(text, { nil: undefined }),
  })
  .map(({ paths, identifiers, components, app }) => ({
    sources: [],
    absent: [],
    sbom: null,
    sbomDiff: { added: components.map((c) => ({ key: c.name, name: c.name, ...(c.purl === undefined ? {} : { purl: c.purl }), scope: 'direct' as const })), removed: [], upgraded: [], downgraded: [], changed: [], licenseChanged: [] },
    vulnerabilities: null,
    vex: null,
    tests: null,
    coverage: null,
    provenance: null,
    eval: null,
    telemetry: null,
    service: app === undefined ? null : { source: 'genops' as const, app, owner: 'o', slos: [], dependents: [], freezeWindows: [] },
    change: {
      source: 'diff' as const,
      labels: [],
      files: paths.map((path) => ({ path, status: 'modified', additions: 1, deletions: 0, owners: [], categories: [] })),
      totals: { files: paths.length, additions: paths.length, deletions: 0 },
      categories: { migration: paths.filter((p) => p.includes('migration')).length },
      reviews: [],
      approvals: { human: 0, bot: 0, codeOwner: 0, changesRequested: 0 },
      codeowners: { file: null, ownedFiles: 0, unownedFiles: [], owners: [] },
      ai: { agentAuthor: null, coAuthors: [], aiCommits: 0, commits: 0, share: 0 },
      ...(identifiers === undefined ? {} : { identifiers }),
    },
    deployments: null,
  }));

describe('similar incidents: properties', () => {
  it('any records and change: at most top matches, finite positive scores, best first, ids of the corpus, bounded terms', () => {
    fc.assert(
      fc.property(docsArb, evidenceArb, fc.integer({ min: 0, max: 5 }), (docs, e, top) => {
        const matches = findSimilarIncidents(buildIncidentIndex(docs), e, top);
        expect(matches.length).toBeLessThanOrEqual(top);
        const ids = new Set(docs.map((d) => d.id));
        for (const [i, m] of matches.entries()) {
          expect(Number.isFinite(m.score)).toBe(true);
          expect(m.score).toBeGreaterThan(0);
          expect(ids.has(m.id)).toBe(true);
          expect(m.terms.length).toBeGreaterThan(0);
          expect(m.terms.length).toBeLessThanOrEqual(MAX_MATCH_TERMS);
          expect([...m.terms].sort()).toEqual(m.terms);
          const prev = matches[i - 1];
          if (prev !== undefined) expect(prev.score > m.score || (prev.score === m.score && prev.id <= m.id)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('deterministic: a rebuilt index gives the same matches; the order of the records changes no score', () => {
    fc.assert(
      fc.property(docsArb, evidenceArb, (docs, e) => {
        const first = findSimilarIncidents(buildIncidentIndex(docs), e, docs.length);
        expect(findSimilarIncidents(buildIncidentIndex(docs.map((d) => ({ ...d }))), e, docs.length)).toEqual(first);
        const reversed = findSimilarIncidents(buildIncidentIndex([...docs].reverse()), e, docs.length);
        const scoreOf = new Map(reversed.map((m) => [m.id, m.score]));
        expect([...scoreOf.keys()].sort()).toEqual(first.map((m) => m.id).sort());
        // Averages of field lengths are summed in another order: equal up to rounding.
        for (const m of first) expect(Math.abs((scoreOf.get(m.id) ?? Number.NaN) - m.score)).toBeLessThanOrEqual(1e-3);
      }),
      RUNS,
    );
  });

  it('terms are lower case, 3 to 64 characters, and contain a letter', () => {
    fc.assert(
      fc.property(text, (t) => {
        for (const term of incidentTerms(t)) {
          expect(term).toBe(term.toLowerCase());
          expect(term.length).toBeGreaterThanOrEqual(3);
          expect(term.length).toBeLessThanOrEqual(64);
          expect(/\p{L}/u.test(term)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('any markdown: a record within the bounds, or a ConfigError naming the file', () => {
    const frontMatter = fc.oneof(
      fc.constant(''),
      fc.array(fc.constantFrom('id: X', 'title: "T: t"', 'services: [a, b]', 'components: a, b', 'severity: 2', 'date: 2024-01-01', 'title: [a]', 'bad: [', '- x', 'id:', ''), { maxLength: 5 }).map((ls) => `---\n${ls.join('\n')}\n---\n`),
      fc.constant('---\nid: unclosed\n'),
    );
    fc.assert(
      fc.property(frontMatter, fc.string({ unit: 'binary', maxLength: 400 }), (fm, body) => {
        try {
          const d = parseIncidentMarkdown('inc/x.md', `${fm}${body}`);
          expect(d.id.length).toBeGreaterThan(0);
          expect(d.id.length).toBeLessThanOrEqual(MAX_INCIDENT_ID);
          expect(d.title.length).toBeLessThanOrEqual(MAX_INCIDENT_TITLE);
          expect(d.body.length).toBeLessThanOrEqual(MAX_INCIDENT_BODY);
          expect(d.source).toBe('inc/x.md');
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          expect((e as ConfigError).details.file).toBe('inc/x.md');
        }
      }),
      RUNS,
    );
  });
});
