/**
 * The Prometheus provider against a real Prometheus (Debian package; see describePrometheus):
 * scenario fixture histories are backfilled with promtool, then read window by window. Counts
 * must equal the generated ones, guard readings must match the generated histograms, and a scrape
 * gap must be ok:false naming the window and the series.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import {
  describePrometheus,
  generateCanaryHistory,
  histogramQuantile,
  loadCanaryScenario,
  startPrometheus,
  toOpenMetrics,
  windowQuantilesMs,
  type CanaryHistory,
  type RunningPrometheus,
} from '@genops/testkit';
import { prometheusMetricsProvider } from '../../src/canary/prometheus.js';
import type { WindowReading } from '../../src/canary/model.js';

function readingOk(r: WindowReading) {
  if (!r.ok) throw new Error(`expected a sample, got: ${r.reason}`);
  return r.sample;
}

describePrometheus('Prometheus provider on a real Prometheus', (binaries) => {
  // Two histories in one server would collide (same series); one server per scenario.
  const scenarios = ['healthy', 'scrape-gap', 'latency-regression'] as const;
  const servers = new Map<string, { prom: RunningPrometheus; history: CanaryHistory }>();

  beforeAll(async () => {
    for (const name of scenarios) {
      const history = generateCanaryHistory(loadCanaryScenario(name));
      servers.set(name, { history, prom: await startPrometheus({ openMetrics: toOpenMetrics(history), binaries }) });
    }
  }, 120_000);
  afterAll(async () => {
    for (const { prom } of servers.values()) await prom.stop();
  });

  const setup = (name: (typeof scenarios)[number], extra: Partial<Parameters<typeof prometheusMetricsProvider>[0]> = {}) => {
    const s = servers.get(name);
    if (s === undefined) throw new Error(`no server for ${name}`);
    const provider = prometheusMetricsProvider({
      url: s.prom.url,
      canaryVersion: s.history.scenario.versions.canary,
      baselineVersion: s.history.scenario.versions.baseline,
      slowLe: String(s.history.scenario.slowLe),
      scrapeIntervalSeconds: s.history.scenario.scrapeSeconds,
      ...extra,
    });
    return { ...s, provider };
  };

  for (const name of ['healthy', 'latency-regression'] as const) {
    it(`${name}: every window's counts equal the generated ones (instant queries, rounded)`, async () => {
      const { history, provider } = setup(name);
      expect(history.windows.length).toBe(name === 'healthy' ? 58 : 48);
      for (const w of history.windows) {
        const sample = readingOk(await provider.read({ start: w.start, end: w.end, weight: w.weight }));
        expect({ window: w.start.toISOString(), ...sample.metrics }).toEqual({
          window: w.start.toISOString(),
          errors: { canary: { requests: w.canary.requests, bad: w.canary.errors }, baseline: { requests: w.baseline.requests, bad: w.baseline.errors } },
          latency: { canary: { requests: w.canary.requests, bad: w.canary.slow }, baseline: { requests: w.baseline.requests, bad: w.baseline.slow } },
        });
      }
    });
  }

  it('query_range with step = window gives the same counts as instant queries', async () => {
    const { history, provider } = setup('healthy', { mode: 'query_range' });
    const instant = setup('healthy').provider;
    for (const w of history.windows.filter((_w, i) => i % 7 === 3)) {
      const req = { start: w.start, end: w.end, weight: w.weight };
      expect(readingOk(await provider.read(req)).metrics).toEqual(readingOk(await instant.read(req)).metrics);
    }
  });

  it('guard readings: error rate from counts, p50/p99 equal the generated histograms and are near the true latency', async () => {
    const { history, provider } = setup('latency-regression');
    const bounds = history.scenario.latencyBuckets;
    let compared = 0;
    for (const w of history.windows.filter((x) => x.canary.requests >= 400)) {
      const g = readingOk(await provider.read({ start: w.start, end: w.end, weight: w.weight })).guards;
      const expected = windowQuantilesMs(history, w);
      expect(g.errorRate).toBeCloseTo(w.canary.errors / w.canary.requests, 12);
      expect(g.successRate).toBeCloseTo(1 - w.canary.errors / w.canary.requests, 12);
      expect(g.p50Ms).toBeCloseTo(expected.p50Ms ?? Number.NaN, 2);
      expect(g.p99Ms).toBeCloseTo(expected.p99Ms ?? Number.NaN, 2);
      // The histogram estimate is near the scenario's log-normal: p50 70 ms, p99 260 ms.
      expect(g.p50Ms).toBeGreaterThan(60);
      expect(g.p50Ms).toBeLessThan(80);
      expect(g.p99Ms).toBeGreaterThan(200);
      expect(g.p99Ms).toBeLessThan(330);
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
    // And our histogramQuantile is Prometheus' on a hand-made histogram.
    expect(histogramQuantile(0.5, [0.1, 0.2], [2, 6, 8])).toBeCloseTo(0.15, 12);
    expect(bounds.length).toBeGreaterThan(5);
  });

  it('scrape gap: windows inside it are ok:false naming the window and the series; windows around it are exact', async () => {
    const { history, provider } = setup('scrape-gap');
    const missing = history.windows.filter((w) => w.missing);
    expect(missing.map((w) => w.start.toISOString().slice(11, 16))).toEqual(
      Array.from({ length: 38 }, (_x, i) => `10:${String(8 + i).padStart(2, '0')}`),
    );
    for (const w of history.windows) {
      const r = await provider.read({ start: w.start, end: w.end, weight: w.weight });
      if (w.missing) {
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.reason).toContain(`window ${w.start.toISOString()}..${w.end.toISOString()}`);
          expect(r.reason).toMatch(/of (canary|baseline) \(version="(canary|stable)"\)/);
          expect(r.reason).toMatch(/no data in this window|samples, 4 needed/);
        }
      } else {
        expect(readingOk(r).metrics.errors?.canary).toEqual({ requests: w.canary.requests, bad: w.canary.errors });
      }
    }
  });

  it('a window shifted half-way into the gap is refused by the coverage check, not extrapolated', async () => {
    const { provider } = setup('scrape-gap');
    // 10:07:30-10:08:30 has samples at 10:07:30, :45, 10:08:00 only (the gap starts after 10:08:00).
    const r = await provider.read({ start: new Date('2025-06-02T10:07:30Z'), end: new Date('2025-06-02T10:08:30Z'), weight: 5 });
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/window 2025-06-02T10:07:30.000Z\.\.2025-06-02T10:08:30.000Z: .* has only 3 samples, 4 needed/) });
  });

  it('a window with no data at all (before the history) is ok:false', async () => {
    const { provider } = setup('healthy');
    const r = await provider.read({ start: new Date('2025-06-01T09:00:00Z'), end: new Date('2025-06-01T09:01:00Z'), weight: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('window 2025-06-01T09:00:00.000Z..2025-06-01T09:01:00.000Z');
  });

  it('a hostile version value stays inside its PromQL string: no series, not `vector(1)`', async () => {
    const { history } = setup('healthy');
    const w = history.windows[20];
    if (w === undefined) throw new Error('no window');
    const { provider } = setup('healthy', {
      canaryVersion: 'canary"} or vector(1) or x{a="',
      queries: { coverage: '' },
    });
    const r = await provider.read({ start: w.start, end: w.end, weight: w.weight });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('no data in this window');
    // (Quotes and backslashes that must match real series: prometheus-harness.test.ts.)
  });

  it('a PromQL error comes back as ok:false with the API error, not a throw', async () => {
    const { history } = setup('healthy');
    const w = history.windows[10];
    if (w === undefined) throw new Error('no window');
    const { provider } = setup('healthy', { queries: { requests: 'sum(increase(http_requests_total{version="$version"}[$window])' } });
    const r = await provider.read({ start: w.start, end: w.end, weight: w.weight });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/HTTP 400 .*bad_data: .*parse error/);
  });
});
