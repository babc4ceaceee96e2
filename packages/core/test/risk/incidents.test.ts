import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/errors.js';
import { emptyEvidence, type Evidence } from '../../src/evidence/model.js';
import {
  buildIncidentIndex,
  findSimilarIncidents,
  incidentsFromIssues,
  incidentTerms,
  MAX_INCIDENT_BODY,
  MAX_QUERY_TERMS,
  parseIncidentMarkdown,
  processIncidentTerm,
  queryFromEvidence,
  searchIncidents,
  tokenizeIncidentText,
  type IncidentDoc,
} from '../../src/risk/incidents.js';

function thrown(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const EMPTY: Evidence = emptyEvidence();

function changeEvidence(paths: string[], extra: { identifiers?: string[]; categories?: Record<string, number> } = {}): Evidence {
  return {
    ...EMPTY,
    change: {
      source: 'diff',
      labels: [],
      files: paths.map((path) => ({ path, status: 'modified', additions: 1, deletions: 0, owners: [], categories: [] })),
      totals: { files: paths.length, additions: paths.length, deletions: 0 },
      categories: extra.categories ?? {},
      reviews: [],
      approvals: { human: 0, bot: 0, codeOwner: 0, changesRequested: 0 },
      codeowners: { file: null, ownedFiles: 0, unownedFiles: [], owners: [] },
      ai: { agentAuthor: null, coAuthors: [], aiCommits: 0, commits: 0, share: 0 },
      ...(extra.identifiers === undefined ? {} : { identifiers: extra.identifiers }),
    },
  };
}

const doc = (id: string, title: string, body: string, extra: Partial<IncidentDoc> = {}): IncidentDoc => ({ id, title, source: `incidents/${id}.md`, services: [], components: [], body, ...extra });

describe('tokenizer', () => {
  it('paths: whole segments, file stems and parts', () => {
    expect(tokenizeIncidentText('src/db/connection-pool.ts')).toEqual(['src', 'db', 'connection-pool.ts', 'connection-pool', 'connection', 'pool', 'ts']);
    expect(tokenizeIncidentText('db/migrations/20230314_add_refund_status.sql')).toEqual([
      'db',
      'migrations',
      '20230314_add_refund_status.sql',
      '20230314_add_refund_status',
      '20230314',
      'add',
      'refund',
      'status',
      'sql',
    ]);
  });

  it('identifiers: camelCase, snake_case, acronyms; digits stay with their word', () => {
    expect(tokenizeIncidentText('acquireConnection')).toEqual(['acquireconnection', 'acquire', 'connection']);
    expect(tokenizeIncidentText('MAX_POOL_SIZE')).toEqual(['max_pool_size', 'max', 'pool', 'size']);
    expect(tokenizeIncidentText('HTTPServer getHTTPResponse')).toEqual(['httpserver', 'http', 'server', 'gethttpresponse', 'get', 'http', 'response']);
    expect(tokenizeIncidentText('pg14Upgrade sha256')).toEqual(['pg14upgrade', 'pg14', 'upgrade', 'sha256']);
  });

  it('prose: punctuation separates, sentence dots are trimmed, other scripts are words', () => {
    expect(tokenizeIncidentText('The pool, (e.g. `timeouts`)! Zahlungsausfälle…')).toEqual(['the', 'pool', 'e.g', 'e', 'g', 'timeouts', 'zahlungsausfälle']);
    expect(tokenizeIncidentText('')).toEqual([]);
    expect(tokenizeIncidentText('--- /// ...')).toEqual([]);
  });

  it('terms: lower case, 3 to 64 characters, with a letter, no stop words; names keep 2-character terms', () => {
    expect(incidentTerms('src/db/connection-pool.ts at 10:05, e.g. v2 and the test')).toEqual(['connection-pool.ts', 'connection-pool', 'connection', 'pool']);
    expect(processIncidentTerm('x'.repeat(64))).toBe('x'.repeat(64));
    expect(processIncidentTerm('x'.repeat(65))).toBeNull();
    expect(processIncidentTerm('2024-05-29')).toBeNull();
    expect(processIncidentTerm('Pool')).toBe('pool');
    expect(incidentTerms('pg')).toEqual([]);
    expect(incidentTerms('pg', 2)).toEqual(['pg']);
  });
});

describe('parseIncidentMarkdown', () => {
  it('front matter: id, title, date, severity, services, components, url; the body after it', () => {
    const d = parseIncidentMarkdown(
      'docs/incidents/db-lock.md',
      ['---', 'id: INC-7', 'title: "Migration lock: payments"', 'date: 2024-03-01', 'severity: 1', 'services: payments-api, ledger', 'components: [postgres, 42]', 'url: https://wiki.example/INC-7', 'owner: dba', '---', '', '# Ignored heading', 'Body text.'].join('\n'),
    );
    expect(d).toEqual({
      id: 'INC-7',
      title: 'Migration lock: payments',
      source: 'docs/incidents/db-lock.md',
      url: 'https://wiki.example/INC-7',
      // The core schema keeps dates as written.
      date: '2024-03-01',
      severity: '1',
      services: ['payments-api', 'ledger'],
      components: ['postgres', '42'],
      body: '\n# Ignored heading\nBody text.',
    });
  });

  it('without front matter: the first level-1 heading outside code is the title, the file name the id', () => {
    const d = parseIncidentMarkdown('pm/2024-05-gateway.markdown', ['Intro', '```md', '# not this', '```', '## Nor this', '# Gateway timeouts ##', '# Second'].join('\n'));
    expect([d.id, d.title, d.services, d.components, d.date]).toEqual(['2024-05-gateway', 'Gateway timeouts', [], [], undefined]);
    expect(parseIncidentMarkdown('notes', 'no heading at all').title).toBe('notes');
  });

  it('CRLF line ends and a byte order mark read the same as LF', () => {
    const lf = '---\nid: A\n---\n# T\nbody\n';
    expect(parseIncidentMarkdown('a.md', `\uFEFF${lf.replace(/\n/g, '\r\n')}`)).toEqual(parseIncidentMarkdown('a.md', lf));
  });

  it('empty front matter and an empty id fall back to the file', () => {
    expect(parseIncidentMarkdown('x/y.md', '---\n---\n# Title').id).toBe('y');
    expect(parseIncidentMarkdown('x/y.md', '---\nid: ""\n---\n# Title').id).toBe('y');
    expect(parseIncidentMarkdown('x/y.md', '---\n# only a comment\n\n---\n# Title').title).toBe('Title');
  });

  it('the body is capped', () => {
    expect(parseIncidentMarkdown('big.md', `# Big\n${'x'.repeat(MAX_INCIDENT_BODY * 2)}`).body).toHaveLength(MAX_INCIDENT_BODY);
  });

  it('broken front matter is a ConfigError naming the file and line', () => {
    const unclosed = thrown(() => parseIncidentMarkdown('inc/a.md', '---\nid: A\n# Title'));
    expect([unclosed.code, unclosed.details.file, unclosed.details.line]).toEqual(['FILE_INVALID', 'inc/a.md', 1]);
    expect(unclosed.message).toBe('incident record inc/a.md: the front matter opened on line 1 is never closed');

    const yaml = thrown(() => parseIncidentMarkdown('inc/b.md', '---\nid: B\ntitle: [unclosed\n---\n'));
    expect([yaml.code, yaml.details.file]).toEqual(['FILE_INVALID', 'inc/b.md']);
    expect(yaml.message).toContain('the front matter is not valid YAML');
    expect(yaml.details.line).toBeGreaterThanOrEqual(3);

    expect(thrown(() => parseIncidentMarkdown('c.md', '---\n- a\n- b\n---\n')).message).toBe('incident record c.md: the front matter is not a mapping of keys to values');
    expect(thrown(() => parseIncidentMarkdown('d.md', '---\ntitle: [a, b]\n---\n')).message).toBe('incident record d.md: front matter `title` is a list, not a single value');
    expect(thrown(() => parseIncidentMarkdown('e.md', '---\ncomponents: [{a: 1}]\n---\n')).message).toBe('incident record e.md: front matter `components` must be a list of names');
  });
});

describe('incidentsFromIssues', () => {
  it('id #number, the link as source and url; labels become services, components and severity', () => {
    const docs = incidentsFromIssues([
      {
        number: 41,
        title: 'Refund double-posting',
        body: 'Refunds were posted twice.',
        html_url: 'https://github.com/octo-org/payments-api/issues/41',
        labels: ['incident', { name: 'Service:payments-api' }, { name: 'component/ledger' }, { name: 'sev:SEV2' }, { name: 'severity:high' }, { name: null }, 'service:'],
        created_at: '2025-01-02T03:04:05Z',
      },
      { number: 42, title: 'No body', body: null, html_url: 'https://github.com/octo-org/payments-api/issues/42', labels: [] },
    ]);
    expect(docs).toEqual([
      {
        id: '#41',
        title: 'Refund double-posting',
        source: 'https://github.com/octo-org/payments-api/issues/41',
        url: 'https://github.com/octo-org/payments-api/issues/41',
        date: '2025-01-02T03:04:05Z',
        severity: 'SEV2',
        services: ['payments-api'],
        components: ['incident', 'ledger'],
        body: 'Refunds were posted twice.',
      },
      { id: '#42', title: 'No body', source: 'https://github.com/octo-org/payments-api/issues/42', url: 'https://github.com/octo-org/payments-api/issues/42', services: [], components: [], body: '' },
    ]);
  });
});

describe('queryFromEvidence', () => {
  it('paths, identifiers (weight 0.5), categories, components of the SBOM diff and the service', () => {
    const e: Evidence = {
      ...changeEvidence(['db/migrations/0042_refunds.sql', 'src/payments/refund.ts'], { identifiers: ['createRefund', 'refunds'], categories: { migration: 1, infra: 0 } }),
      sbomDiff: {
        added: [{ key: 'pkg:npm/%40acme/ledger-client', name: 'ledger-client', purl: 'pkg:npm/%40acme/ledger-client@2.0.0', to: '2.0.0', scope: 'direct' }],
        removed: [{ key: 'pkg:npm/left-pad', name: 'left-pad', scope: 'direct' }],
        upgraded: [{ key: 'pkg:npm/pg', name: 'pg', purl: 'pkg:npm/pg@8.12.0', from: '8.11.3', to: '8.12.0', scope: 'direct' }],
        downgraded: [],
        changed: [],
        licenseChanged: [],
      },
      service: { source: 'genops', app: 'payments-api', owner: '@o/t', slos: [], dependents: [], freezeWindows: [] },
    };
    const q = queryFromEvidence(e);
    const weight = Object.fromEntries(q.terms.map((t, i) => [t, q.weights[i]]));
    expect(weight).toEqual({
      'ledger-client': 1,
      client: 1,
      ledger: 1,
      refund: 1,
      refunds: 1,
      '0042_refunds': 1,
      '0042_refunds.sql': 1,
      acme: 1,
      api: 1,
      migration: 1,
      migrations: 1,
      payments: 1,
      'payments-api': 1,
      pg: 1,
      'refund.ts': 1,
      sql: 1,
      createrefund: 0.5,
      create: 0.5,
    });
    // Terms named by more sources first (payments: a path and the service; refund and refunds: a
    // path and an identifier), then by weight, then in code-unit order.
    expect(q.terms.slice(0, 5)).toEqual(['payments', 'refund', 'refunds', '0042_refunds', '0042_refunds.sql']);
    // removed components are not what the change brings in
    expect(q.terms).not.toContain('left-pad');
  });

  it('an evidence without change, SBOM diff or service asks for nothing', () => {
    expect(queryFromEvidence(EMPTY)).toEqual({ terms: [], weights: [] });
  });

  it('a 10,000-file change is sampled to 1,000 paths and cut to the 300 terms most paths share', () => {
    const paths = Array.from({ length: 10_000 }, (_, i) => `services/billing/module${String(i)}/handler.ts`);
    const q = queryFromEvidence(changeEvidence(paths));
    expect(q.terms).toHaveLength(MAX_QUERY_TERMS);
    expect(q.terms.slice(0, 4)).toEqual(['billing', 'handler', 'handler.ts', 'services']);
  });
});

describe('findSimilarIncidents', () => {
  const docs: IncidentDoc[] = [
    doc('INC-1', 'Migration lock on payments', 'ALTER TABLE payments took an ACCESS EXCLUSIVE lock.', { components: ['postgres', 'db-migrations'] }),
    doc('INC-2', 'Connection pool exhaustion', 'acquireConnection timed out; MAX_POOL_SIZE too high for the replicas.', { components: ['pgbouncer'] }),
    doc('INC-3', 'Refund rounding', 'toMinorUnits assumed two decimals for every currency.', { url: 'https://wiki.example/INC-3' }),
    doc('INC-4', 'TLS certificate expired', 'The gateway client certificate expired.'),
  ];
  const index = buildIncidentIndex(docs);

  it('ranks the record naming the change best, with the terms that matched', () => {
    const m = findSimilarIncidents(index, changeEvidence(['src/db/pool.ts'], { identifiers: ['acquireConnection', 'MAX_POOL_SIZE'] }), 3);
    expect(m.map((x) => x.id)).toEqual(['INC-2']);
    expect(m[0]).toEqual({ id: 'INC-2', title: 'Connection pool exhaustion', source: 'incidents/INC-2.md', score: m[0]?.score, terms: ['acquire', 'acquireconnection', 'connection', 'max', 'max_pool_size', 'pool', 'size'] });
    expect(m[0]?.score).toBeGreaterThan(5);
  });

  it('the url of a record is carried to its match', () => {
    const m = findSimilarIncidents(index, changeEvidence(['src/util/money.ts'], { identifiers: ['toMinorUnits'] }), 3);
    expect(m.map((x) => [x.id, x.url])).toEqual([['INC-3', 'https://wiki.example/INC-3']]);
  });

  it('top bounds the list; 0 is none; nothing matches nothing; an empty corpus finds nothing', () => {
    const e = changeEvidence(['db/migrations/1.sql', 'src/db/pool.ts', 'src/gateway/certificate.ts', 'src/util/currency.ts']);
    expect(findSimilarIncidents(index, e, 10).length).toBe(4);
    expect(findSimilarIncidents(index, e, 2).length).toBe(2);
    expect(findSimilarIncidents(index, e, 0)).toEqual([]);
    expect(findSimilarIncidents(index, changeEvidence(['README.md']), 3)).toEqual([]);
    expect(findSimilarIncidents(buildIncidentIndex([]), e, 3)).toEqual([]);
    expect(thrown(() => findSimilarIncidents(index, e, -1)).code).toBe('INPUT_INVALID');
    expect(thrown(() => findSimilarIncidents(index, e, 1.5)).code).toBe('INPUT_INVALID');
  });

  it('equal scores are ordered by id, then source; duplicate ids are allowed', () => {
    const twins = buildIncidentIndex([
      doc('B', 'Cache stampede', 'redis ttl'),
      { ...doc('A', 'Cache stampede', 'redis ttl'), source: 'z/A.md' },
      { ...doc('A', 'Cache stampede', 'redis ttl'), source: 'a/A.md' },
    ]);
    const m = findSimilarIncidents(twins, changeEvidence(['src/cache/redis.ts']), 3);
    expect(m.map((x) => [x.id, x.source])).toEqual([
      ['A', 'a/A.md'],
      ['A', 'z/A.md'],
      ['B', 'incidents/B.md'],
    ]);
    expect(new Set(m.map((x) => x.score)).size).toBe(1);
  });

  it('title and components count twice the body: the same words score higher there', () => {
    const i = buildIncidentIndex([doc('T', 'Webhook secret rotation', 'Nothing else.'), doc('B', 'Something', 'Webhook secret rotation.'), doc('C', 'Other', 'Unrelated.')]);
    const [first, second] = searchIncidents(i, { terms: ['webhook'], weights: [1] }, 3);
    expect([first?.id, second?.id]).toEqual(['T', 'B']);
    expect((first?.score ?? 0) / (second?.score ?? 1)).toBeGreaterThan(1.5);
  });

  it('an identifier term weighs half a path term', () => {
    const i = buildIncidentIndex([doc('W', 'Webhooks', 'verifySignature failed.'), doc('X', 'Other', 'Unrelated.')]);
    const full = searchIncidents(i, { terms: ['verifysignature'], weights: [1] }, 1)[0]?.score ?? 0;
    const half = searchIncidents(i, { terms: ['verifysignature'], weights: [0.5] }, 1)[0]?.score ?? 0;
    expect(half).toBeCloseTo(full / 2, 3);
  });

  it('the same inputs give the same matches', () => {
    const e = changeEvidence(['db/migrations/1.sql', 'src/db/pool.ts'], { identifiers: ['acquireConnection'] });
    expect(findSimilarIncidents(buildIncidentIndex(docs), e, 3)).toEqual(findSimilarIncidents(index, e, 3));
  });
});
