/**
 * Canary configuration: defaults, durations, overrides, every problem in one ConfigError (with YAML
 * lines for a file), stage ladders and the reachability of the minimum canary requests.
 */
import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/errors.js';
import {
  stageDeadlineOf,
  DEFAULT_CANARY_CONFIG,
  parseCanaryConfig,
  parseCanaryConfigFile,
  parseDurationSeconds,
  reachabilityProblems,
  stageMinCanaryRequests,
  stageProblems,
} from '../../src/canary/config.js';
import { sourceFileOf } from '../../src/evidence/source.js';

function thrown(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('are the method\'s', () => {
    const c = parseCanaryConfig(undefined);
    expect(c).toEqual(DEFAULT_CANARY_CONFIG);
    expect(c).toMatchObject({ alpha: 0.05, method: 'share', warmupWindows: 2, windowSeconds: 60, dwellSeconds: 300, stageDeadlineSeconds: 1800, rMax: { errors: 1.5, latency: 1.25 } });
    expect(c.guards.specs.errorRate).toEqual({ limit: 0.01, required: false });
    expect(c.guards.specs.p99Ms?.limit).toBe(500);
    expect(c.guards.specs.p50Ms?.limit).toBe(100);
    expect(c.guards.specs.successRate?.limit).toBe(0.99);
    expect(c.guards.specs.costSpike?.limit).toBe(0.5);
    expect(stageMinCanaryRequests(c, 1)).toBe(100);
    expect(stageMinCanaryRequests(c, 50)).toBe(5000);
  });
});

describe('parsing', () => {
  it('reads durations as seconds or 90s / 5m / 1.5h', () => {
    expect(parseDurationSeconds(90)).toBe(90);
    expect(parseDurationSeconds('90s')).toBe(90);
    expect(parseDurationSeconds('5m')).toBe(300);
    expect(parseDurationSeconds('1.5h')).toBe(5400);
    expect(parseDurationSeconds('500ms')).toBe(0.5);
    expect(parseDurationSeconds('5 minutes')).toBeUndefined();
    expect(parseDurationSeconds(-3)).toBeUndefined();
    expect(parseDurationSeconds('0s')).toBeUndefined();
  });

  it('overrides key by key, guards by number, mapping or off', () => {
    const c = parseCanaryConfig({
      alpha: 0.01,
      method: 'binomial',
      metrics: ['errors'],
      window: '30s',
      dwell: '10m',
      stageDeadline: '1h',
      maxTotalDuration: '8h',
      rMax: { latency: 1.4 },
      minCanaryRequestsPerPercent: 50,
      expectedRequestsPerMinute: 5000,
      guards: { alpha: 0.02, errorRate: 0.02, p99Ms: { limit: 800, required: true }, costSpike: 'off', qualityScore: false, consecutiveBreaches: 0 },
    });
    expect(c).toMatchObject({ alpha: 0.01, method: 'binomial', metrics: ['errors'], windowSeconds: 30, dwellSeconds: 600, stageDeadlineSeconds: 3600, maxTotalSeconds: 28800, rMax: { errors: 1.5, latency: 1.4 }, minCanaryRequestsPerPercent: 50, expectedRequestsPerMinute: 5000 });
    expect(c.guards.alpha).toBe(0.02);
    expect(c.guards.consecutiveBreaches).toBe(0);
    expect(c.guards.specs).toMatchObject({ errorRate: { limit: 0.02, required: false }, p99Ms: { limit: 800, required: true }, costSpike: null, qualityScore: null, p50Ms: { limit: 100 } });
    // The defaults object is not changed by parsing.
    expect(DEFAULT_CANARY_CONFIG.rMax.latency).toBe(1.25);
  });

  it('lists every problem in one INPUT_INVALID error', () => {
    const e = thrown(() =>
      parseCanaryConfig({ alpha: 2, method: 'z', metrics: ['errors', 'cpu'], window: 'soon', rMax: { errors: 0.9, cpu: 2 }, warmupWindows: -1, guards: { errorRate: 5, p99Ms: { limit: 'x' }, bogus: 1 }, extra: true }, 'with: canary-config'),
    );
    expect(e.code).toBe('INPUT_INVALID');
    expect(e.details.input).toBe('with: canary-config');
    const lines = e.message.split('\n').slice(1);
    expect(lines).toEqual([
      '- extra: unknown key (expected one of alpha, method, metrics, window, warmupWindows, dwell, stageDeadline, lastStageDeadline, maxTotalDuration, rMax, minCanaryRequestsPerPercent, expectedRequestsPerMinute, guards)',
      '- alpha: must be a number in (0, 0.5), e.g. 0.05',
      '- method: must be one of share, binomial',
      '- metrics: must be a non-empty list of distinct metrics from errors, latency',
      '- window: must be a positive duration: seconds, or a string such as 60s, 5m, 1h',
      '- warmupWindows: must be an integer >= 0',
      '- rMax.errors: must be a ratio in (1, 10], e.g. 1.5 (canary at most 50 % worse)',
      '- rMax.cpu: unknown metric (expected errors, latency)',
      '- guards.bogus: unknown key (expected one of alpha, consecutiveBreaches, minWindowRequests, errorRate, successRate, p99Ms, p50Ms, qualityScore, costSpike)',
      '- guards.errorRate: must be a rate in (0, 1), e.g. 0.01 for 1 %',
      '- guards.p99Ms.limit: must be a number',
    ]);
  });

  it('the last compared stage has its own deadline: 60 min, or stageDeadline when that is longer, or as given', () => {
    expect(parseCanaryConfig({}).lastStageDeadlineSeconds).toBe(3600);
    expect(parseCanaryConfig({ stageDeadline: '2h', maxTotalDuration: '8h' })).toMatchObject({ stageDeadlineSeconds: 7200, lastStageDeadlineSeconds: 7200 });
    expect(parseCanaryConfig({ stageDeadline: '20m', lastStageDeadline: '90m' })).toMatchObject({ stageDeadlineSeconds: 1200, lastStageDeadlineSeconds: 5400 });
    expect(stageDeadlineOf(DEFAULT_CANARY_CONFIG, true)).toBe(3600);
    expect(stageDeadlineOf(DEFAULT_CANARY_CONFIG, false)).toBe(1800);
    const e = thrown(() => parseCanaryConfig({ lastStageDeadline: '4m' }));
    expect(e.message).toContain('- lastStageDeadline: 240 s must be longer than the dwell (300 s)');
  });

  it('checks timing across fields', () => {
    const e = thrown(() => parseCanaryConfig({ window: '2m', dwell: '3m', stageDeadline: '3m', maxTotalDuration: '2m' }));
    expect(e.message.split('\n').slice(1)).toEqual([
      '- dwell: 180 s leaves no window after the 2 warm-up window(s)',
      '- stageDeadline: 180 s must be longer than the dwell (180 s)',
      // lastStageDeadline defaults to 60 min (or stageDeadline, when that is longer).
      '- maxTotalDuration: 120 s is shorter than one stage deadline (3600 s)',
    ]);
  });

  it('a YAML file: FILE_INVALID with the line of the first problem', () => {
    const yaml = 'alpha: 0.05\nmethod: share\nguards:\n  p50Ms: -4\n  costSpike: 0.5\nrMax:\n  errors: 30\n';
    const e = thrown(() => parseCanaryConfigFile(sourceFileOf('canary.yaml', new TextEncoder().encode(yaml))));
    expect(e.code).toBe('FILE_INVALID');
    expect(e.details).toMatchObject({ file: 'canary.yaml', line: 7 }); // rMax is checked before guards
    expect(e.message).toContain('- guards.p50Ms (line 4): must be > 0 (canary p50 latency (ms))');
    expect(e.message).toContain('- rMax.errors (line 7): must be a ratio in (1, 10]');
    expect(parseCanaryConfigFile(sourceFileOf('ok.yaml', new TextEncoder().encode('dwell: 10m\n'))).dwellSeconds).toBe(600);
  });
});

describe('stages and reachability', () => {
  it('stage ladders increase in (0, 100] and end at 100', () => {
    expect(stageProblems([1, 5, 25, 50, 100])).toEqual([]);
    expect(stageProblems([5, 50, 100])).toEqual([]);
    expect(stageProblems([5, 1, 100])).toEqual(['stage weights must increase: 5 then 1']);
    expect(stageProblems([1, 50])).toEqual(['the last stage must be 100 (full promotion), got 50']);
    expect(stageProblems([100])).toEqual(['at least one stage below 100 is needed to compare the canary with a baseline']);
    expect(stageProblems([0, 100])).toEqual(['stage 1 weight 0 is not in (0, 100]']);
    expect(stageProblems([])).toHaveLength(1);
  });

  it('the minimum canary requests must be reachable at 1 % within the deadline', () => {
    const c = DEFAULT_CANARY_CONFIG;
    // 28 usable minutes at 1 %: 2,000 rpm -> 560 expected >= 100.
    expect(reachabilityProblems(c, [1, 5, 25, 50, 100], 2000)).toEqual([]);
    // 300 rpm -> 84 at 1 % < 100; 420 at 5 % >= 500? no: 5 % needs 500. The 50 % stage is the last
    // compared one, with its 60 min deadline: 8,700 expected >= 5,000.
    expect(reachabilityProblems(c, [1, 5, 25, 50, 100], 300)).toEqual([
      'stage 1 %: needs 100 canary requests but expects about 84 at 300 requests/min within its 30 min deadline (after warm-up); lower minCanaryRequestsPerPercent to at most 84 or lengthen stageDeadline',
      'stage 5 %: needs 500 canary requests but expects about 420 at 300 requests/min within its 30 min deadline (after warm-up); lower minCanaryRequestsPerPercent to at most 84 or lengthen stageDeadline',
      'stage 25 %: needs 2500 canary requests but expects about 2100 at 300 requests/min within its 30 min deadline (after warm-up); lower minCanaryRequestsPerPercent to at most 84 or lengthen stageDeadline',
    ]);
    const e = thrown(() => parseCanaryConfig({ expectedRequestsPerMinute: 300 }, 'canary', [1, 5, 100]));
    expect(e.message).toContain('- minCanaryRequestsPerPercent: stage 1 %: needs 100 canary requests');
    expect(parseCanaryConfig({ expectedRequestsPerMinute: 300, minCanaryRequestsPerPercent: 80 }, 'canary', [1, 5, 100]).minCanaryRequestsPerPercent).toBe(80);
  });
});
