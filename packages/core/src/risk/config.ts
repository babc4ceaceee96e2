/**
 * Risk configuration: weights, tier thresholds, canary plans, and the knobs of each factor.
 * Loaded from YAML (schema: packages/core/schemas/risk-config.schema.json) over these defaults.
 * The defaults are the reference design's: the six core weights sum to 1.0; the evidence factors
 * add their own weights, and the score is the weighted mean over all of them.
 */
import { IANAZone } from 'luxon';
import { ConfigError, docUrl } from '../errors.js';
import { parseYamlSource, sourceText, yamlKeyLines, type SourceFile } from '../evidence/source.js';
import { validateAgainst } from '../schemas/index.js';
import type { FactorName, RiskTier } from './model.js';

export interface RiskConfig {
  weights: Record<FactorName, number>;
  /** Lower bounds of the medium, high and critical tiers (low below `medium`). */
  thresholds: { medium: number; high: number; critical: number };
  /** Canary traffic percentages by tier. */
  canaryPlans: Record<RiskTier, number[]>;
  /** The value a factor takes when the evidence it reads is absent (absent is not safe). */
  absentValue: number;
  serviceTier: { critical: number; high: number; medium: number; low: number };
  history: {
    /** Beta prior of the failure rate: alpha = prior failures, beta = prior successes. */
    prior: { alpha: number; beta: number };
    /** Credible interval level. */
    level: number;
    /** Posterior mean at which the factor reaches 1 (a 30 % failure rate is as bad as it gets). */
    saturation: number;
  };
  timing: {
    /** Working hours in the service's timezone, [start, end) in hours. */
    workingHours: [number, number];
    /** Friday from this hour on counts as "Friday afternoon". */
    fridayAfternoonFrom: number;
    /** Values for each situation (the largest that applies wins). */
    values: { freeze: number; fridayAfternoon: number; weekend: number; outOfHours: number; normal: number };
    /** Holidays as ISO dates (YYYY-MM-DD) in the service's timezone. */
    holidays: string[];
    /** Timezone when the service metadata names none. */
    defaultTimezone: string;
  };
  blastRadius: {
    /** Dependents at which the dependents part saturates. */
    dependents: number;
    /** CODEOWNERS owners (teams) touched at which that part saturates. */
    owners: number;
    /** Top-level components (directories) touched at which that part saturates. */
    components: number;
  };
  complexity: {
    /** Changed lines (additions + deletions) at which size saturates. */
    lines: number;
    /** Files at which file count saturates. */
    files: number;
  };
  incidents: {
    /** Matches to show. */
    top: number;
    /**
     * BM25+ score a match needs to count towards the factors. The scale depends on the corpus: on the
     * fixture corpus first matches score 17-118, other relevant ones 17-51, unrelated ones 8-27.
     */
    minScore: number;
    /** Each counting match adds this much to change-complexity and change-history, up to `maxBoost`. */
    boostPerMatch: number;
    maxBoost: number;
  };
  genai: {
    /** Eval pass rate below which the eval factor rises (reaches 1 at 0). */
    minPassRate: number;
    /** Cost per request increase over the baseline that counts as a spike (0.5 = +50 %). */
    costSpike: number;
    /** Longest run of consecutive tool calls in one agent loop above which the loop looks stuck. */
    maxToolCallRun: number;
    /** Largest share of the context window a call may fill before truncation is a risk. */
    maxContextWindowUse: number;
    /** Prompt tokens per completion token above which prompts look bloated. */
    maxPromptCompletionRatio: number;
  };
  /**
   * SPDX license ids (case-insensitive; a trailing `*` matches any suffix, `GPL-3.0*` matches
   * GPL-3.0-only and GPL-3.0-or-later) that are not allowed (`deny`) or need a legal look (`review`).
   */
  licenses: { deny: string[]; review: string[] };
  /** Relative effort of each recourse action. */
  recourseCosts: Record<string, number>;
}

export const DEFAULT_RISK_CONFIG: RiskConfig = {
  weights: {
    'service-tier': 0.25,
    'service-health': 0.15,
    'change-history': 0.2,
    'blast-radius': 0.15,
    'change-complexity': 0.15,
    timing: 0.1,
    vulnerabilities: 0.1,
    licenses: 0.03,
    provenance: 0.05,
    'new-dependencies': 0.03,
    'changed-line-coverage': 0.05,
    tests: 0.05,
    'ai-review': 0.05,
    'genai-eval': 0.04,
  },
  thresholds: { medium: 0.2, high: 0.35, critical: 0.55 },
  canaryPlans: {
    low: [1, 5, 25, 50, 100],
    medium: [1, 5, 25, 50, 100],
    high: [1, 2, 5, 10, 25, 50, 100],
    critical: [1, 2, 5, 10, 25, 50, 100],
  },
  absentValue: 0.5,
  serviceTier: { critical: 1, high: 0.7, medium: 0.4, low: 0.1 },
  history: { prior: { alpha: 1, beta: 9 }, level: 0.9, saturation: 0.3 },
  timing: {
    workingHours: [9, 17],
    fridayAfternoonFrom: 16,
    values: { freeze: 1, fridayAfternoon: 0.9, weekend: 0.8, outOfHours: 0.6, normal: 0.1 },
    holidays: [],
    defaultTimezone: 'UTC',
  },
  blastRadius: { dependents: 10, owners: 5, components: 8 },
  complexity: { lines: 1000, files: 50 },
  incidents: { top: 3, minScore: 25, boostPerMatch: 0.1, maxBoost: 0.3 },
  genai: { minPassRate: 0.85, costSpike: 0.5, maxToolCallRun: 10, maxContextWindowUse: 0.9, maxPromptCompletionRatio: 5 },
  licenses: {
    // Network copyleft and source-available licenses that restrict running the software as a service.
    deny: ['AGPL-1.0*', 'AGPL-3.0*', 'SSPL-1.0', 'BUSL-1.1', 'CC-BY-NC-*'],
    // Strong and weak copyleft: fine in many uses, but someone should say so.
    review: ['GPL-2.0*', 'GPL-3.0*', 'LGPL-*', 'EUPL-*', 'OSL-3.0', 'EPL-*', 'MPL-1.*'],
  },
  recourseCosts: {
    'split-pr': 5,
    'cover-changed-lines': 2,
    'deploy-in-window': 1,
    'add-human-reviewer': 1,
    'upgrade-vulnerable': 3,
    'verify-provenance': 2,
    'fix-tests': 2,
  },
};

// ---------------------------------------------------------------------------------------------
// Loading: YAML over the defaults, checked by the schema, then by rules the schema can't state.

type Overrides = { [K in keyof RiskConfig]?: unknown };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; arrays and scalars replace. */
function merge<T>(base: T, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out as T;
}

/** Rules beyond the schema: ordered thresholds, increasing plans ending at 100, a real timezone. */
function semanticProblems(c: RiskConfig): { path: string[]; message: string }[] {
  const out: { path: string[]; message: string }[] = [];
  const t = c.thresholds;
  if (!(t.medium < t.high && t.high < t.critical)) out.push({ path: ['thresholds'], message: `must increase: medium ${String(t.medium)} < high ${String(t.high)} < critical ${String(t.critical)}` });
  for (const [tier, plan] of Object.entries(c.canaryPlans)) {
    const increasing = plan.every((p, i) => i === 0 || p > (plan[i - 1] ?? 0));
    if (!increasing || plan.at(-1) !== 100) out.push({ path: ['canaryPlans', tier], message: `must increase and end at 100, got [${plan.join(', ')}]` });
  }
  if (Object.values(c.weights).reduce((a, b) => a + b, 0) <= 0) out.push({ path: ['weights'], message: 'must not all be 0' });
  if (!(c.timing.workingHours[0] < c.timing.workingHours[1])) out.push({ path: ['timing', 'workingHours'], message: 'start must be before end' });
  if (!IANAZone.isValidZone(c.timing.defaultTimezone)) out.push({ path: ['timing', 'defaultTimezone'], message: `${JSON.stringify(c.timing.defaultTimezone)} is not an IANA time zone` });
  return out;
}

/** Parses a risk configuration file: every problem at once, with its line. */
export function parseRiskConfig(file: SourceFile): RiskConfig {
  const expected = 'a genops risk configuration (YAML; see docs/risk.md)';
  const doc = parseYamlSource(file, expected) ?? {};
  const schemaProblems = validateAgainst('risk-config', doc).map((p) => ({ path: p.pointer.split('/').slice(1), message: p.message }));
  const config = schemaProblems.length === 0 ? merge(DEFAULT_RISK_CONFIG, doc as Overrides) : DEFAULT_RISK_CONFIG;
  const problems = schemaProblems.length > 0 ? schemaProblems : semanticProblems(config);
  if (problems.length === 0) return config;
  const lines = yamlKeyLines(sourceText(file, expected), 0, problems.map((p) => p.path));
  const where = (path: string[]) => {
    for (let n = path.length; n > 0; n--) {
      const line = lines.get(path.slice(0, n).join('\u0000'));
      if (line !== undefined) return line;
    }
    return undefined;
  };
  const first = problems[0];
  const firstLine = first === undefined ? undefined : where(first.path);
  const list = problems.map((p) => {
    const line = where(p.path);
    return `- ${p.path.join('.') || '(root)'}${line === undefined ? '' : ` (line ${String(line)})`}: ${p.message}`;
  });
  throw new ConfigError('FILE_INVALID', `${file.path}: ${String(problems.length)} problem(s) in the risk configuration:\n${list.join('\n')}`, {
    file: file.path,
    ...(firstLine === undefined ? {} : { line: firstLine }),
    expected,
    hint: 'Fix these keys; every key is optional and defaults to the values in docs/risk.md.',
    docUrl: docUrl('risk', 'configuration'),
  });
}
