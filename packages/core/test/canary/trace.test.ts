/**
 * Trace renderers: the text table and chart of a simulated run, and escaping of the one untrusted
 * text (a provider's gap reason) in markdown and SVG.
 */
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CANARY_CONFIG } from '../../src/canary/config.js';
import { runCanary } from '../../src/canary/engine.js';
import type { MetricsProvider } from '../../src/canary/model.js';
import { simulatedClock, simulatedProvider } from '../../src/canary/simulate.js';
import { canaryTraceChartText, canaryTraceMarkdown, canaryTraceSvg, canaryTraceText } from '../../src/canary/trace.js';

const traffic = { setWeight: async () => undefined, rollback: async () => undefined };

describe('renderers', () => {
  it('the text table has a header, a row per window and the decision per stage', async () => {
    const run = await runCanary({ stages: [1, 5, 25, 50, 100], config: DEFAULT_CANARY_CONFIG, provider: simulatedProvider({ seed: 5, requestsPerMinute: 20_000, errorRatio: 3 }), traffic, clock: simulatedClock() });
    const lines = canaryTraceText(run);
    expect(lines[0]).toMatch(/^canary rolled-back at 0 % \(rollback-eprocess\): the canary is worse than the baseline/);
    const windows = run.stages.reduce((n, s) => n + s.windows.length, 0);
    expect(lines.filter((l) => /^ {2}\d+ +\d\d:\d\d:\d\d +(warm-up|data|gap)/.test(l))).toHaveLength(windows);
    expect(lines.filter((l) => l.startsWith('  -> '))).toHaveLength(run.stages.length);
    expect(lines.some((l) => l.includes('-> rollback (rollback-eprocess)'))).toBe(true);

    const chart = canaryTraceChartText(run);
    expect(chart).toHaveLength(5);
    // One bar per data window, `|` between stages.
    const dataWindows = run.stages.reduce((n, s) => n + s.windows.filter((w) => w.status === 'data').length, 0);
    const bars = chart[0]!.slice(22).split('  (')[0]!;
    expect(bars.replace(/\|/g, '')).toHaveLength(dataWindows);
    expect(bars.split('|')).toHaveLength(run.stages.length);
    // The rollback bar of errors ends full (the e-value crossed the threshold).
    expect(chart[0]).toMatch(/█ {2}\(full bar = rollback at 40\.00\)$/);

    const svg = canaryTraceSvg(run);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).not.toContain('NaN');
  });

  it('escapes a hostile gap reason in markdown', async () => {
    const provider: MetricsProvider = { kind: 'evil', read: async () => ({ ok: false, reason: '<img src=x onerror=alert(1)> | @team [x](javascript:1)' }) };
    const run = await runCanary({ stages: [1, 100], config: { ...DEFAULT_CANARY_CONFIG, stageDeadlineSeconds: 600, lastStageDeadlineSeconds: 600 }, provider, traffic, clock: simulatedClock() });
    expect(run.outcome).toBe('inconclusive');
    const md = canaryTraceMarkdown(run);
    expect(md).not.toContain('<img');
    expect(md).not.toContain('](javascript');
    expect(md.split('\n').filter((l) => l.startsWith('| 1 |'))).toHaveLength(1);
    // The error path: a rollback error message lands in the markdown escaped.
    const failing = { setWeight: async () => Promise.reject(new Error('<script>x</script>')), rollback: async () => undefined };
    const failed = await runCanary({ stages: [1, 100], config: DEFAULT_CANARY_CONFIG, provider: simulatedProvider(), traffic: failing, clock: simulatedClock() });
    const md2 = canaryTraceMarkdown(failed);
    expect(md2).toContain('Error: &lt;script&gt;x&lt;/script&gt;');
  });
});
