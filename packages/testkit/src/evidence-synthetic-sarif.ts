/**
 * A large CodeQL-shaped SARIF 2.1.0 log for benchmarks and scale tests: rules in a query-pack
 * extension (`rule.toolComponent.index`), artifacts referenced by index, `%SRCROOT%` base ids, code
 * flows, related locations and partial fingerprints, as CodeQL writes them. Deterministic: the same
 * (results, seed) always gives the same text.
 */
import { seededRandom } from './seeded-random.js';

interface SyntheticRule {
  id: string;
  short: string;
  level: 'error' | 'warning' | 'note';
  securitySeverity?: string;
  cwe: string[];
  kind: 'problem' | 'path-problem';
}

const RULES: readonly SyntheticRule[] = [
  { id: 'js/sql-injection', short: 'Database query built from user-controlled sources', level: 'error', securitySeverity: '8.8', cwe: ['089', '090', '943'], kind: 'path-problem' },
  { id: 'js/code-injection', short: 'Code injection', level: 'error', securitySeverity: '9.3', cwe: ['094', '095', '079', '116'], kind: 'path-problem' },
  { id: 'js/reflected-xss', short: 'Reflected cross-site scripting', level: 'error', securitySeverity: '7.8', cwe: ['079', '116'], kind: 'path-problem' },
  { id: 'js/stored-xss', short: 'Stored cross-site scripting', level: 'error', securitySeverity: '7.8', cwe: ['079', '116'], kind: 'path-problem' },
  { id: 'js/path-injection', short: 'Uncontrolled data used in path expression', level: 'error', securitySeverity: '7.5', cwe: ['022', '023', '036'], kind: 'path-problem' },
  { id: 'js/command-line-injection', short: 'Uncontrolled command line', level: 'error', securitySeverity: '9.8', cwe: ['078', '088'], kind: 'path-problem' },
  { id: 'js/request-forgery', short: 'Server-side request forgery', level: 'error', securitySeverity: '9.1', cwe: ['918'], kind: 'path-problem' },
  { id: 'js/prototype-pollution-utility', short: 'Prototype-polluting function', level: 'warning', securitySeverity: '6.1', cwe: ['078', '079', '094', '400', '471', '915'], kind: 'path-problem' },
  { id: 'js/polynomial-redos', short: 'Polynomial regular expression used on uncontrolled data', level: 'warning', securitySeverity: '7.5', cwe: ['1333', '730', '400'], kind: 'path-problem' },
  { id: 'js/clear-text-logging', short: 'Clear-text logging of sensitive information', level: 'error', securitySeverity: '7.5', cwe: ['312', '359', '532'], kind: 'path-problem' },
  { id: 'js/insecure-randomness', short: 'Insecure randomness', level: 'warning', securitySeverity: '7.8', cwe: ['338'], kind: 'path-problem' },
  { id: 'js/missing-rate-limiting', short: 'Missing rate limiting', level: 'warning', securitySeverity: '7.5', cwe: ['770', '307', '400'], kind: 'problem' },
  { id: 'js/incomplete-sanitization', short: 'Incomplete string escaping or encoding', level: 'warning', securitySeverity: '7.8', cwe: ['020', '080', '116'], kind: 'problem' },
  { id: 'js/unused-local-variable', short: 'Unused variable, import, function or class', level: 'note', cwe: [], kind: 'problem' },
  { id: 'js/useless-assignment-to-local', short: 'Useless assignment to local variable', level: 'warning', cwe: ['563'], kind: 'problem' },
  { id: 'js/trivial-conditional', short: 'Useless conditional', level: 'warning', cwe: ['570', '571'], kind: 'problem' },
];

const DIRS = ['src/routes', 'src/lib', 'src/db', 'src/services', 'src/middleware', 'src/views', 'packages/api/src', 'packages/web/src'];

/**
 * A CodeQL-shaped SARIF log with `results` results (spread over 16 rules and a few hundred files),
 * as JSON text. `seed` picks rules, files, lines and columns.
 */
export function syntheticSarif(results: number, seed: number): string {
  const random = seededRandom(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const fileCount = Math.max(1, Math.min(400, Math.ceil(results / 25)));
  const artifacts = Array.from({ length: fileCount }, (_, i) => ({
    location: { uri: `${DIRS[i % DIRS.length] ?? 'src'}/module-${String(i).padStart(3, '0')}.js`, uriBaseId: '%SRCROOT%', index: i },
  }));
  const rules = RULES.map((r) => ({
    id: r.id,
    name: r.id,
    shortDescription: { text: r.short },
    fullDescription: { text: `${r.short}.` },
    defaultConfiguration: { enabled: true, level: r.level },
    help: { text: `# ${r.short}\n`, markdown: `# ${r.short}\n` },
    properties: {
      tags: [...(r.securitySeverity === undefined ? ['maintainability'] : ['security']), ...r.cwe.map((c) => `external/cwe/cwe-${c}`)],
      description: `${r.short}.`,
      id: r.id,
      kind: r.kind,
      name: r.short,
      precision: 'high',
      'problem.severity': r.level === 'note' ? 'recommendation' : r.level,
      ...(r.securitySeverity === undefined ? {} : { 'security-severity': r.securitySeverity }),
    },
  }));

  const out: unknown[] = [];
  for (let i = 0; i < results; i++) {
    const ruleIndex = pick(RULES.length);
    const rule = RULES[ruleIndex] ?? RULES[0];
    const file = pick(fileCount);
    const uri = artifacts[file]?.location.uri ?? 'src/index.js';
    const startLine = 1 + pick(2000);
    const startColumn = 1 + pick(80);
    const sourceLine = 1 + pick(2000);
    const location = {
      physicalLocation: {
        artifactLocation: { uri, uriBaseId: '%SRCROOT%', index: file },
        region: { startLine, startColumn, endColumn: startColumn + 1 + pick(40) },
      },
    };
    const hash = (Math.floor(random() * 0xffffffff) >>> 0).toString(16).padStart(8, '0') + (Math.floor(random() * 0xffffffff) >>> 0).toString(16).padStart(8, '0');
    const result: Record<string, unknown> = {
      ruleId: rule?.id,
      rule: { id: rule?.id, index: ruleIndex, toolComponent: { index: 0 } },
      message: { text: rule?.kind === 'path-problem' ? 'This depends on a [user-provided value](1).' : `${rule?.short ?? ''}.` },
      locations: [location],
      partialFingerprints: { primaryLocationLineHash: `${hash}:1`, primaryLocationStartColumnFingerprint: String(startColumn % 7) },
    };
    if (rule?.kind === 'path-problem') {
      const source = {
        physicalLocation: { artifactLocation: { uri, uriBaseId: '%SRCROOT%', index: file }, region: { startLine: sourceLine, startColumn: 1 + pick(60), endColumn: 70 } },
        message: { text: 'user-provided value' },
      };
      result.relatedLocations = [{ id: 1, ...source }];
      result.codeFlows = [{ threadFlows: [{ locations: [{ location: source }, { location: { ...location, message: { text: 'sink' } } }] }] }];
    }
    out.push(result);
  }

  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'CodeQL', organization: 'GitHub', semanticVersion: '2.20.5', notifications: [], rules: [] },
          extensions: [{ name: 'codeql/javascript-queries', semanticVersion: '1.4.0', rules }],
        },
        invocations: [{ toolExecutionNotifications: [], executionSuccessful: true }],
        artifacts,
        results: out,
        columnKind: 'utf16CodeUnits',
        properties: { 'semmle.formatSpecifier': 'sarif-latest' },
        originalUriBaseIds: { '%SRCROOT%': { uri: 'file:///home/runner/work/shop/shop/' } },
        automationDetails: { id: '/language:javascript-typescript/' },
      },
    ],
  });
}
