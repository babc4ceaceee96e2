/**
 * The timing calendar: situations on the service's wall clock (DST included), freeze windows as
 * instants, holidays as local dates, "largest value wins", and invalid timezones falling back.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DEFAULT_RISK_CONFIG, type RiskConfig } from '../../src/risk/config.js';
import { resolveTimezone, timingSituation } from '../../src/risk/timing.js';

const at = (iso: string): Date => new Date(iso);

function withTiming(timing: Partial<RiskConfig['timing']>): RiskConfig {
  return { ...DEFAULT_RISK_CONFIG, timing: { ...DEFAULT_RISK_CONFIG.timing, ...timing } };
}

const BERLIN = 'Europe/Berlin';

describe('timingSituation', () => {
  it('Friday 17:30 in Berlin (16:30Z, CET) is Friday afternoon, and also out of hours', () => {
    const r = timingSituation(at('2026-03-13T16:30:00Z'), BERLIN, DEFAULT_RISK_CONFIG, []);
    expect(r.situation).toBe('fridayAfternoon');
    expect(r.applies).toEqual(['fridayAfternoon', 'outOfHours', 'normal']);
    expect(r.local).toBe('Fri 2026-03-13 17:30 +01:00');
    expect(r.timezone).toBe(BERLIN);
    expect(r.invalidTimezone).toBeUndefined();
  });

  it.each([
    ['Friday 15:59 Berlin', 'normal', '2026-03-13T14:59:00Z'],
    ['Friday 16:00 Berlin', 'fridayAfternoon', '2026-03-13T15:00:00Z'],
    ['Saturday 12:00 Berlin', 'weekend', '2026-03-14T11:00:00Z'],
    ['Sunday 23:30 Berlin', 'weekend', '2026-03-15T22:30:00Z'],
    ['Monday 08:59 Berlin', 'outOfHours', '2026-03-16T07:59:00Z'],
    ['Monday 09:00 Berlin', 'normal', '2026-03-16T08:00:00Z'],
    ['Monday 16:59 Berlin', 'normal', '2026-03-16T15:59:00Z'],
    ['Monday 17:00 Berlin (end is exclusive)', 'outOfHours', '2026-03-16T16:00:00Z'],
    // DST: clocks go forward on 2026-03-29, so 07:30Z is 08:30 before and 09:30 after.
    ['Friday 07:30Z before DST (08:30 +01:00)', 'outOfHours', '2026-03-27T07:30:00Z'],
    ['Monday 07:30Z after DST (09:30 +02:00)', 'normal', '2026-03-30T07:30:00Z'],
  ])('%s is %s', (_label, situation, iso) => {
    expect(timingSituation(at(iso), BERLIN, DEFAULT_RISK_CONFIG, []).situation).toBe(situation);
  });

  it('the same instant is Friday afternoon in Berlin and Friday morning in New York', () => {
    expect(timingSituation(at('2026-03-13T16:30:00Z'), 'America/New_York', DEFAULT_RISK_CONFIG, [])).toMatchObject({
      situation: 'normal',
      local: 'Fri 2026-03-13 12:30 -04:00',
    });
  });

  it('a freeze window holds from start (inclusive) to end (exclusive), whatever offset it is written in', () => {
    const windows = [{ start: '2026-12-21T00:00:00+01:00', end: '2027-01-04T00:00:00+01:00', reason: 'Year-end freeze' }];
    const inside = timingSituation(at('2026-12-22T10:00:00Z'), BERLIN, DEFAULT_RISK_CONFIG, windows);
    expect(inside.situation).toBe('freeze');
    expect(inside.freezeWindow).toEqual(windows[0]);
    expect(timingSituation(at('2026-12-20T23:00:00Z'), BERLIN, DEFAULT_RISK_CONFIG, windows).situation).toBe('freeze');
    expect(timingSituation(at('2026-12-20T22:59:59Z'), BERLIN, DEFAULT_RISK_CONFIG, windows).situation).toBe('weekend');
    // Monday 2027-01-04 00:00 in Berlin: the window has ended; what is left is the hour.
    expect(timingSituation(at('2027-01-03T23:00:00Z'), BERLIN, DEFAULT_RISK_CONFIG, windows).situation).toBe('outOfHours');
  });

  it('holidays are local dates: 23:30Z on Dec 24 is Dec 25 in Berlin, not in UTC', () => {
    const config = withTiming({ holidays: ['2026-12-25'] });
    const berlin = timingSituation(at('2026-12-24T23:30:00Z'), BERLIN, config, []);
    expect(berlin.situation).toBe('freeze');
    expect(berlin.holiday).toBe('2026-12-25');
    const utc = timingSituation(at('2026-12-24T23:30:00Z'), 'UTC', config, []);
    expect(utc.situation).toBe('outOfHours');
    expect(utc.holiday).toBeUndefined();
  });

  it('skips and counts freeze windows whose dates do not parse', () => {
    const r = timingSituation(at('2026-03-16T10:00:00Z'), BERLIN, DEFAULT_RISK_CONFIG, [
      { start: 'next tuesday', end: '2026-03-20T00:00:00Z' },
      { start: '2026-03-01T00:00:00Z', end: '2026-03-31T00:00:00Z' },
    ]);
    expect(r.unparsableWindows).toBe(1);
    expect(r.situation).toBe('freeze');
    expect(r.freezeWindow?.start).toBe('2026-03-01T00:00:00Z');
  });

  it('the largest configured value wins, not a fixed order', () => {
    const config = withTiming({ values: { freeze: 1, fridayAfternoon: 0.5, weekend: 0.8, outOfHours: 0.7, normal: 0.1 } });
    const r = timingSituation(at('2026-03-13T16:30:00Z'), BERLIN, config, []);
    expect(r.situation).toBe('outOfHours');
    expect(r.applies).toEqual(['outOfHours', 'fridayAfternoon', 'normal']);
  });

  it('takes fractional hours: Friday afternoon from 15.5 starts at 15:30', () => {
    const config = withTiming({ fridayAfternoonFrom: 15.5 });
    expect(timingSituation(at('2026-03-13T14:29:00Z'), BERLIN, config, []).situation).toBe('normal');
    expect(timingSituation(at('2026-03-13T14:30:00Z'), BERLIN, config, []).situation).toBe('fridayAfternoon');
  });

  it('an invalid service timezone falls back to the default, and says which was invalid', () => {
    const r = timingSituation(at('2026-03-13T16:30:00Z'), 'Mars/Olympus_Mons', withTiming({ defaultTimezone: BERLIN }), []);
    expect(r.timezone).toBe(BERLIN);
    expect(r.invalidTimezone).toBe('Mars/Olympus_Mons');
    expect(r.situation).toBe('fridayAfternoon');
  });

  it('no service timezone uses the default; an invalid default falls back to UTC', () => {
    expect(resolveTimezone(undefined, BERLIN)).toEqual({ timezone: BERLIN });
    expect(resolveTimezone(null, 'Nowhere/Special')).toEqual({ timezone: 'UTC', invalid: 'Nowhere/Special' });
    expect(resolveTimezone('', 'UTC')).toEqual({ timezone: 'UTC', invalid: '' });
    expect(resolveTimezone('Bad/Zone', 'Also/Bad')).toEqual({ timezone: 'UTC', invalid: 'Bad/Zone' });
  });

  it('an invalid date judges nothing: normal, with no local time', () => {
    const r = timingSituation(new Date(Number.NaN), BERLIN, DEFAULT_RISK_CONFIG, [{ start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' }]);
    expect(r.situation).toBe('normal');
    expect(r.local).toBe('invalid time');
  });

  it('property: the situation applies, normal always applies, and no applying situation has a larger value', () => {
    const zones = fc.constantFrom('Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC', 'Australia/Lord_Howe', 'not/a zone');
    const window = fc
      .tuple(fc.date({ min: at('2025-01-01T00:00:00Z'), max: at('2028-01-01T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 30 * 24 }))
      .map(([start, h]) => ({ start: start.toISOString(), end: new Date(start.getTime() + h * 3_600_000).toISOString() }));
    fc.assert(
      fc.property(
        fc.date({ min: at('2025-01-01T00:00:00Z'), max: at('2028-01-01T00:00:00Z'), noInvalidDate: true }),
        zones,
        fc.array(window, { maxLength: 3 }),
        (now, zone, windows) => {
          const r = timingSituation(now, zone, DEFAULT_RISK_CONFIG, windows);
          const values = DEFAULT_RISK_CONFIG.timing.values;
          return r.applies.includes(r.situation) && r.applies.includes('normal') && r.applies.every((s) => values[s] <= values[r.situation]) && /^[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d$/.test(r.local);
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });
});
