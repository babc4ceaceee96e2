/**
 * The testkit's Prometheus harness and scenario generator: finding the binaries, the skip/fail rule
 * of describePrometheus, deterministic histories from the fixtures, and (on a real Prometheus) label
 * values with quotes and backslashes surviving OpenMetrics and PromQL escaping.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  canaryScenarioNames,
  describePrometheus,
  findPrometheus,
  generateCanaryHistory,
  historyTotals,
  loadCanaryScenario,
  parseCanaryScenario,
  startPrometheus,
  toOpenMetrics,
  toWindowCsv,
  toWindowRows,
  type CanaryScenario,
} from '@genops/testkit';
import { prometheusMetricsProvider } from '../../src/canary/prometheus.js';

const FIXTURES = ['errors-3x', 'healthy', 'latency-regression', 'noisy-baseline', 'scrape-gap', 'sparse-traffic'];

describe('finding Prometheus and describePrometheus', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genops-fakebin-'));
    for (const name of ['prometheus', 'promtool']) {
      await writeFile(join(dir, name), '#!/bin/sh\nexit 0\n');
      await chmod(join(dir, name), 0o755);
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds both binaries on PATH, and nothing when one is missing', async () => {
    expect(findPrometheus({ PATH: dir }, [])).toEqual({ prometheus: join(dir, 'prometheus'), promtool: join(dir, 'promtool') });
    expect(findPrometheus({ PATH: '/nonexistent' }, [])).toBeUndefined();
    await rm(join(dir, 'promtool'));
    expect(findPrometheus({ PATH: dir }, [])).toBeUndefined();
    await writeFile(join(dir, 'promtool'), '#!/bin/sh\n');
    // Not executable: not found.
    expect(findPrometheus({ PATH: dir }, [])).toBeUndefined();
    await chmod(join(dir, 'promtool'), 0o755);
  });

  /** Calls describePrometheus with recording fakes of Jest's describe/it, and returns what it registered. */
  function register(env: NodeJS.ProcessEnv): { calls: string[]; failure?: unknown; warned: string } {
    const g = globalThis as unknown as Record<string, unknown>;
    const saved = { describe: g.describe, it: g.it };
    const calls: string[] = [];
    let failure: unknown;
    const fakeDescribe = Object.assign(
      (name: string, fn: () => void) => {
        calls.push(`describe ${name}`);
        fn();
      },
      { skip: (name: string) => calls.push(`skip ${name}`) },
    );
    g.describe = fakeDescribe;
    g.it = (name: string, fn: () => void) => {
      calls.push(`it ${name}`);
      try {
        fn();
      } catch (e) {
        failure = e;
      }
    };
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      describePrometheus('suite', (b) => calls.push(`body ${b.prometheus}`), { env, fallbackDirs: [] });
      return { calls, failure, warned: warn.mock.calls.map((c) => String(c[0])).join('\n') };
    } finally {
      warn.mockRestore();
      g.describe = saved.describe;
      g.it = saved.it;
    }
  }

  it('runs the suite with the binaries when present', () => {
    expect(register({ PATH: dir, CI: 'true' })).toEqual({ calls: ['describe suite', `body ${join(dir, 'prometheus')}`], failure: undefined, warned: '' });
  });

  it('absent outside CI: skips loudly', () => {
    const r = register({ PATH: '/nonexistent' });
    expect(r.calls).toEqual(['skip suite']);
    expect(r.warned).toContain('SKIPPED "suite": prometheus/promtool not found');
    expect(r.warned).toContain('apt-get install -y prometheus');
  });

  it('absent with CI=true: a failing test, not a skip', () => {
    const r = register({ PATH: '/nonexistent', CI: 'true' });
    expect(r.calls).toEqual(['describe suite', 'it needs Prometheus (CI=true)']);
    expect(String(r.failure)).toContain('CI=true');
    expect(r.warned).toBe('');
  });
});

describe('canary scenario fixtures', () => {
  it('are the six of the issue, each with an expected outcome matching the README table', () => {
    expect(canaryScenarioNames()).toEqual(FIXTURES);
    const readme = readFileSync(new URL('../../../../fixtures/canary/README.md', import.meta.url), 'utf8');
    for (const name of FIXTURES) {
      const s = loadCanaryScenario(name);
      expect(s.name).toBe(name);
      expect(readme).toMatch(new RegExp(`\\| \\[${name}\\]\\(${name}\\.json\\) \\|[^\\n]*\\| \\*\\*${s.expected.outcome}\\*\\* \\|`));
    }
  });

  it('realise the totals the README states', () => {
    const readme = readFileSync(new URL('../../../../fixtures/canary/README.md', import.meta.url), 'utf8');
    const n = (x: number) => x.toLocaleString('en-US');
    for (const name of FIXTURES) {
      const h = generateCanaryHistory(loadCanaryScenario(name));
      const t = historyTotals(h);
      const row = `| ${name} | ${h.windows.length} (${h.windows.filter((w) => w.missing).length}) | ${n(t.canary.requests)} / ${n(t.canary.errors)} / ${n(t.canary.slow)} | ${n(t.baseline.requests)} / ${n(t.baseline.errors)} / ${n(t.baseline.slow)} |`;
      expect(readme).toContain(row);
    }
  });

  it('generate the same history from the same seed, and a different one from another seed', () => {
    const s = loadCanaryScenario('healthy');
    const digest = (sc: CanaryScenario) => createHash('sha256').update(toOpenMetrics(generateCanaryHistory(sc))).digest('hex');
    expect(digest(s)).toBe(digest(s));
    expect(digest({ ...s, seed: s.seed + 1 })).not.toBe(digest(s));
  });

  it('realise the scenario: weights, error ratios and slow shares within sampling error', () => {
    const realised = (name: string) => {
      const h = generateCanaryHistory(loadCanaryScenario(name));
      const t = historyTotals(h);
      return { h, t, errRatio: t.canary.errors / t.canary.requests / (t.baseline.errors / t.baseline.requests), slowRatio: t.canary.slow / t.canary.requests / (t.baseline.slow / t.baseline.requests) };
    };
    const healthy = realised('healthy');
    expect(healthy.h.windows).toHaveLength(58);
    const at50 = healthy.h.windows.filter((w) => w.weight === 50);
    const share = at50.reduce((a, w) => a + w.canary.requests, 0) / at50.reduce((a, w) => a + w.canary.requests + w.baseline.requests, 0);
    expect(Math.abs(share - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(healthy.errRatio - 1)).toBeLessThan(0.15);
    expect(Math.abs(healthy.slowRatio - 1)).toBeLessThan(0.1);
    const e3 = realised('errors-3x');
    expect(e3.errRatio).toBeGreaterThan(2.5);
    expect(e3.errRatio).toBeLessThan(3.5);
    const lat = realised('latency-regression');
    expect(lat.slowRatio).toBeGreaterThan(2.3);
    expect(lat.slowRatio).toBeLessThan(3.1);
    const sparse = realised('sparse-traffic');
    expect(sparse.t.canary.requests).toBeLessThan(30);
  });

  it('write OpenMetrics promtool reads: families in order, samples in time order, # EOF last, gaps removed', () => {
    const h = generateCanaryHistory(loadCanaryScenario('scrape-gap'));
    const text = toOpenMetrics(h);
    const lines = text.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe('# EOF');
    expect(lines.filter((l) => l.startsWith('# TYPE'))).toEqual(['# TYPE http_requests counter', '# TYPE http_request_duration_seconds histogram']);
    const times = lines.filter((l) => l.startsWith('http_requests_total{version="canary",status="500"}')).map((l) => Number(l.split(' ')[2]));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const gapFrom = Date.parse('2025-06-02T10:08:00Z') / 1000;
    const gapTo = Date.parse('2025-06-02T10:46:00Z') / 1000;
    expect(times.filter((t) => t > gapFrom && t < gapTo)).toEqual([]);
    expect(times).toContain(gapFrom);
    expect(times).toContain(gapTo);
    // File rows leave the gap's windows out as well.
    expect(toWindowRows(h)).toHaveLength(h.windows.length - 38);
    expect(toWindowCsv(h).split('\n')[0]).toMatch(/^start,end,weight,canary_requests,/);
  });

  it('refuses a malformed scenario naming the field', () => {
    const s = JSON.parse(JSON.stringify(loadCanaryScenario('healthy'))) as Record<string, unknown>;
    expect(() => parseCanaryScenario({ ...s, slowLe: 0.33 }, 'x.json')).toThrow('x.json: slowLe: expected one of the latencyBuckets');
    expect(() => parseCanaryScenario({ ...s, scrapeSeconds: 7 }, 'x.json')).toThrow('x.json: scrapeSeconds: expected a divisor of windowSeconds');
    expect(() => parseCanaryScenario({ ...s, expected: { outcome: 'maybe', why: 'x' } }, 'x.json')).toThrow('expected.outcome');
  });
});

describePrometheus('the harness on a real Prometheus', (binaries) => {
  it('label values with quotes and backslashes survive OpenMetrics and PromQL escaping; stop() removes the temp dir', async () => {
    const base = loadCanaryScenario('healthy');
    const scenario: CanaryScenario = { ...base, versions: { canary: 'v2 "quoted" \\ back\\slash', baseline: "stable'1" }, stages: [{ weight: 50, windows: 4 }] };
    const history = generateCanaryHistory(scenario);
    const prom = await startPrometheus({ openMetrics: toOpenMetrics(history), binaries });
    try {
      const provider = prometheusMetricsProvider({ url: prom.url, canaryVersion: scenario.versions.canary, baselineVersion: scenario.versions.baseline, slowLe: '0.15' });
      for (const w of history.windows) {
        const r = await provider.read({ start: w.start, end: w.end, weight: w.weight });
        expect(r).toMatchObject({ ok: true, sample: { metrics: { errors: { canary: { requests: w.canary.requests, bad: w.canary.errors } }, latency: { baseline: { bad: w.baseline.slow } } } } });
      }
    } finally {
      await prom.stop();
    }
    expect(existsSync(prom.dir)).toBe(false);
  });

  it('bad OpenMetrics fails with promtool\'s message, and leaves no temp dir behind', async () => {
    await expect(startPrometheus({ openMetrics: 'http_requests_total{version="a"} not-a-number 1\n# EOF\n', binaries })).rejects.toThrow(/promtool tsdb create-blocks-from openmetrics .* failed/);
  });
});
