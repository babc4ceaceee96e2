// Rendering a decision for GitHub: the sticky comment, job summary, check-run output and SARIF,
// including hostile PR-derived text and the size caps.
import { describe, expect, it } from '@jest/globals';

import { makeDecision, makeResult, violated } from '@genops/testkit';
import type { DecisionPredicate } from '../../src/policy/decision-model.js';
import {
  commentMarker,
  decisionSarif,
  mdFence,
  mdInline,
  MAX_COMMENT_CHARS,
  renderCheckRunOutput,
  renderDecisionComment,
  renderDecisionSummary,
  type ViolationLocation,
} from '../../src/report/decision.js';

const SUMMARY_URL = 'https://github.com/acme/payments/actions/runs/1000001/attempts/1#summary';

/**
 * The text outside code spans and fenced blocks: where markdown would act on it. A small
 * CommonMark-like scan: a backslash escapes the next character; a run of n backticks opens a
 * code span that the next run of exactly n closes; fence lines pair up.
 */
function prose(md: string): string {
  const lines = md.split('\n');
  const kept: string[] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const f = /^(`{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (f !== undefined && f.length >= fence.length && line.trim() === f) fence = undefined;
      continue;
    }
    if (f !== undefined) {
      fence = f;
      continue;
    }
    kept.push(line);
  }
  if (fence !== undefined) throw new Error(`a ${fence} fence is never closed`);
  const text = kept.join('\n');
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i] ?? '';
    if (c === '\\') {
      out += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '`') {
      const run = /^`+/.exec(text.slice(i))?.[0] ?? '`';
      const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
      close.lastIndex = i + run.length;
      const m = close.exec(text);
      if (m !== null) {
        i = m.index + run.length;
        continue;
      }
      out += run;
      i += run.length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** Checks that nothing in `md` (outside code) can mention, link, embed HTML or break out. */
function expectInert(md: string, ownLinks: readonly string[] = []): void {
  const p = prose(md);
  expect(p).not.toMatch(/<img|<script|onerror=/i);
  expect(p).not.toMatch(/(^|[^\\])\[click\]/);
  expect(p).not.toMatch(/@(?!\u200d)[A-Za-z]/); // every @ outside code carries a zero-width joiner
  expect(p).not.toMatch(/(^|[^\\])\]\(http:\/\/x/);
  const links = [...p.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1]);
  for (const l of links) expect(ownLinks).toContain(l);
}

const HOSTILE_PACKAGE = '@evil/<img src=x onerror=alert(1)>';
const HOSTILE_LINK = '[click](http://x) @org/admins';

function hostileDecision(): DecisionPredicate {
  return makeDecision({
    environment: 'prod <b>@org/admins</b>',
    results: [
      violated({
        rule: 'no-new-fixable-critical-vulnerabilities',
        title: `Title ${HOSTILE_LINK}`,
        message: `New critical: CVE-1 in ${HOSTILE_PACKAGE}; also ${HOSTILE_LINK}\n# heading\n\`\`\`\n</details><script>x</script> | a | b |`,
        recourse: { summary: 'Upgrade `x` then ``` break ``` out @org/admins <img src=x>', docsUrl: 'javascript:alert(1)', contacts: ['@org/security', HOSTILE_LINK] },
      }),
      violated({ set: 'metadata', rule: 'service-metadata-present', message: 'x'.repeat(100_000) }),
    ],
    exceptions: {
      applied: [],
      expired: [{ name: HOSTILE_PACKAGE, file: 'e.yaml', rules: [HOSTILE_LINK], ticket: HOSTILE_LINK, approvedBy: '@org/admins', expiresAt: '2026-01-01T00:00:00Z' }],
      invalid: [{ name: 'bad', file: 'e.yaml', rules: ['r'], ticket: 't', approvedBy: 'a', expiresAt: 'x', problem: HOSTILE_PACKAGE }],
    },
    breakGlass: { by: '@org/admins', source: 'label', reason: HOSTILE_LINK, grantedAt: '2026-03-02T10:00:00Z', expiresAt: '2026-03-02T14:00:00Z', overridden: 'deny', followUp: { number: 7, url: 'https://github.com/acme/payments/issues/7' } },
  });
}

describe('renderDecisionComment', () => {
  it('a denied decision: marker first, each blocking rule with message, recourse, contacts; exceptions and how to request one', () => {
    const md = renderDecisionComment(makeDecision(), { key: 'pr', summaryUrl: SUMMARY_URL, requestExceptionUrl: 'https://github.com/acme/payments/issues/new?template=exception.yml' });
    expect(md.startsWith('<!-- genops:gate:pr -->\n')).toBe(true);
    expect(md).toContain(':x: genops policy gate `pr`: deny');
    expect(md).toContain('**2 rule(s) block this change.**');
    expect(md).toContain('#### 1. `supply-chain/no-new-fixable-critical-vulnerabilities` (deny)');
    expect(md).toContain('#### 2. `metadata/service-metadata-present` (deny)');
    expect(md).toContain('#### Warnings (1, not blocking)');
    expect(md).toContain('**Smallest change that passes:** Upgrade each listed package');
    expect(md).toContain('[docs](https://example.com/docs/metadata)');
    expect(md).toContain('**Contacts:** `@org/security`, `@org/platform`, `@org/legal`');
    expect(md).toContain('- applied: `gpl-tooling`');
    expect(md).toContain('[request an exception](https://github.com/acme/payments/issues/new?template=exception.yml)');
    expect(md).not.toContain('Cut to fit');
    expectInert(md, [SUMMARY_URL, 'https://example.com/docs/metadata', 'https://github.com/acme/payments/issues/new?template=exception.yml']);
  });

  it('an allowed decision says nothing blocks', () => {
    const md = renderDecisionComment(makeDecision({ results: [makeResult()] }), { key: 'pr' });
    expect(md).toContain(':white_check_mark: genops policy gate `pr`: allow (passes)');
    expect(md).toContain('Nothing blocks this change.');
    expect(md).not.toContain('What to change');
  });

  it('require-approval names the protected environment; risk rules use risk-score recourse', () => {
    const d = makeDecision({
      results: [violated({ set: 'genops-baseline', rule: 'risk-tier-needs-approval', title: 'High risk needs approval', decision: 'require-approval', message: 'risk is high' })],
      requiredEnvironment: 'production-approval',
      risk: { score: 0.61, tier: 'high', canaryPlan: [1, 10, 50, 100], recourse: [{ actions: [{ id: 'cover', label: 'Cover the 12 uncovered changed lines', factor: 'changed-line-coverage', cost: 1 }], cost: 1, score: 0.42, tier: 'medium' }] },
    });
    const md = renderDecisionComment(d, { key: 'deploy-production' });
    expect(md).toContain(':raised_hand: genops policy gate `deploy-production`: require-approval');
    expect(md).toContain('protected environment `production-approval`');
    expect(md).toContain('To lower the change risk (high 0.610 → medium 0.420): Cover the 12 uncovered changed lines.');
  });

  it('hostile package names, links, mentions, HTML, fences and a 100 KB message stay inert', () => {
    const md = renderDecisionComment(hostileDecision(), { key: 'pr', summaryUrl: SUMMARY_URL });
    expectInert(md, [SUMMARY_URL, 'https://github.com/acme/payments/issues/7']);
    expect(md).toContain('@\u200dorg/admins'); // shown, but cannot ping
    expect(md).toContain('`[click](http://x) @org/admins`'); // a contact: code, not a link or a mention
    expect(md).not.toContain('javascript:');
    expect(md).toContain('cut; the full message is in the job summary');
    expect(md.length).toBeLessThan(20_000);
    expect(md.startsWith(commentMarker('pr'))).toBe(true);
  });

  it('stays within the 65,536-character cap, cutting whole sections with a note pointing to the job summary', () => {
    const many = Array.from({ length: 300 }, (_, i) => violated({ rule: `rule-${String(i)}`, message: `m${String(i)} `.repeat(2000) }));
    const d = makeDecision({ results: many });
    const md = renderDecisionComment(d, { key: 'pr', summaryUrl: SUMMARY_URL });
    expect(md.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(md).toMatch(/Cut to fit GitHub's size limit: \d+ more section\(s\) are in \[the job summary\]\(https:\/\/github\.com\/acme\/payments\/actions\/runs\/1000001\/attempts\/1#summary\)/);
    expect(md).toContain('#### 1. `supply-chain/rule-0`');
    expectInert(md, [SUMMARY_URL]);
    for (const max of [3000, 8000, 20_000]) {
      const small = renderDecisionComment(hostileDecision(), { key: 'pr', summaryUrl: SUMMARY_URL, maxChars: max });
      expect(small.length).toBeLessThanOrEqual(max);
      expectInert(small, [SUMMARY_URL, 'https://github.com/acme/payments/issues/7']);
    }
  });

  it('suggestion blocks: fenced so the replacement cannot close them', () => {
    const md = renderDecisionComment(makeDecision(), {
      key: 'pr',
      suggestions: [{ rule: 'metadata/service-metadata-present', path: 'genops.yaml', startLine: 4, replacement: 'owner: x\n````\n@org/admins <img src=x>\ncostCenter: ""', description: 'Add costCenter' }],
    });
    expect(md).toContain('Add costCenter (`genops.yaml`, line 4):\n\n`````suggestion\nowner: x\n````\n@org/admins <img src=x>\ncostCenter: ""\n`````');
    expectInert(md, ['https://example.com/docs/metadata']);
  });

  it('refuses a key that could break out of the marker', () => {
    expect(() => renderDecisionComment(makeDecision(), { key: 'x --> <img src=x>' })).toThrow(/gate key/);
  });
});

describe('inline helpers', () => {
  it('mdInline keeps backtick spans as code and escapes the rest', () => {
    expect(mdInline('run `syft . -o json` then @team')).toBe('run `syft . -o json` then @\u200dteam');
    expect(mdInline('a ` b')).toBe('a \\` b');
  });

  it('mdFence outlasts any backtick run', () => {
    expect(mdFence('a\n```\nb', 'suggestion')).toBe('````suggestion\na\n```\nb\n````');
  });
});

describe('renderDecisionSummary', () => {
  it('lists every result in one table, strictest first, with exceptions and policy sets', () => {
    const md = renderDecisionSummary(makeDecision(), { artifact: { path: 'genops/decision.intoto.json', digest: 'sha256:abc' } });
    const rows = md.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    expect(rows).toHaveLength(7);
    expect(rows[0]).toContain('`supply-chain/no-new-fixable-critical-vulnerabilities`');
    expect(rows[2]).toContain('`supply-chain/license-review`');
    expect(rows[6]).toContain('skipped');
    expect(md).toContain('| `gpl-tooling` | applied |');
    expect(md).toContain('| `metadata` | `policies/metadata/metadata.yaml` | enforce | 1 |');
    expect(md).toContain('Signed decision: `genops/decision.intoto.json` `sha256:abc`');
  });

  it('hostile text cannot break the table or inject anything', () => {
    const md = renderDecisionSummary(hostileDecision());
    expectInert(md, ['https://github.com/acme/payments/issues/7']);
    for (const row of md.split('\n').filter((l) => /^\| \d+ \|/.test(l))) {
      expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(10);
    }
  });

  it('stays under the byte cap with a note', () => {
    const many = Array.from({ length: 400 }, (_, i) => violated({ rule: `r${String(i)}`, message: 'é'.repeat(3000) }));
    const md = renderDecisionSummary(makeDecision({ results: many }), { maxBytes: 200_000 });
    expect(Buffer.byteLength(md, 'utf8')).toBeLessThanOrEqual(200_000);
    expect(md).toContain('Cut to fit the size limit');
  });
});

describe('renderCheckRunOutput', () => {
  it('title, summary and text within GitHub limits', () => {
    const many = Array.from({ length: 60 }, (_, i) => violated({ rule: `rule-${String(i)}`, message: 'x'.repeat(8000) }));
    const out = renderCheckRunOutput(makeDecision({ results: many }), { key: 'pr', summaryUrl: SUMMARY_URL });
    expect(out.title).toBe('deny: 60 blocking rule(s)');
    expect(out.summary.length).toBeLessThanOrEqual(65_535);
    expect(out.text.length).toBeLessThanOrEqual(65_535);
    expect(out.summary).not.toContain('<!-- genops:gate');
    expect(out.summary.startsWith('### :x:')).toBe(true);
  });
});

describe('decisionSarif', () => {
  const locs: ViolationLocation[] = [
    { rule: 'supply-chain/no-new-fixable-critical-vulnerabilities', path: 'package-lock.json', startLine: 120, endLine: 124, message: 'CVE-2024-4068 (high) in braces@3.0.2', level: 'failure' },
    { rule: 'supply-chain/no-new-fixable-critical-vulnerabilities', path: '../outside.txt', startLine: 1, message: 'outside', level: 'failure' },
  ];

  it('one rule per violated rule with the recourse as help, results at the evidence locations', () => {
    const log = decisionSarif(makeDecision(), locs, { toolVersion: '1.2.3', fallbackPath: '.github/workflows/pr gate.yml' });
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0] as { tool: { driver: { name: string; version: string; rules: { id: string; help: { text: string }; defaultConfiguration: { level: string } }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations?: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; endLine?: number } } }[] }[] };
    expect(run.tool.driver).toMatchObject({ name: 'genops policy-gate', version: '1.2.3' });
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['supply-chain/no-new-fixable-critical-vulnerabilities', 'metadata/service-metadata-present', 'supply-chain/license-review']);
    expect(run.tool.driver.rules[0]?.help.text).toBe('Upgrade each listed package to the fixed version named in the message. Contacts: @org/security.');
    expect(run.tool.driver.rules[2]?.defaultConfiguration.level).toBe('warning');
    expect(run.results).toHaveLength(3);
    expect(run.results[0]).toMatchObject({ ruleId: 'supply-chain/no-new-fixable-critical-vulnerabilities', ruleIndex: 0, level: 'error' });
    expect(run.results[0]?.locations?.[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'package-lock.json', uriBaseId: '%SRCROOT%' }, region: { startLine: 120, endLine: 124 } });
    // No evidence location: the fallback path, percent-encoded.
    expect(run.results[1]?.locations?.[0]?.physicalLocation.artifactLocation.uri).toBe('.github/workflows/pr%20gate.yml');
    expect(run.results[2]).toMatchObject({ ruleId: 'supply-chain/license-review', ruleIndex: 2, level: 'warning' });
    expect(JSON.stringify(log)).not.toContain('outside');
  });

  it('an allowed decision has no results', () => {
    const log = decisionSarif(makeDecision({ results: [makeResult()] }), []);
    expect((log.runs[0] as { results: unknown[] }).results).toEqual([]);
  });
});
