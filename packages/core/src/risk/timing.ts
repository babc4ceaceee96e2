/**
 * When a change would go out, judged on the service's wall clock (luxon, IANA zones, DST-aware).
 *
 * Situations, each with a configured value (config.timing.values); every one that applies is
 * listed and the one with the largest value wins, so a Friday 17:30 (Friday afternoon AND out of
 * hours) is judged as Friday afternoon with the defaults:
 * - freeze: `now` inside a freeze window of the service ([start, end), instants compared, so
 *   windows written with any offset work), or the local date is in config.timing.holidays.
 *   Windows whose start or end is not a parseable date-time are skipped, and counted.
 * - fridayAfternoon: local Friday at or after `fridayAfternoonFrom` (hours, fractions allowed:
 *   15.5 is 15:30).
 * - weekend: local Saturday or Sunday.
 * - outOfHours: local time outside working hours [start, end) (hours, fractions allowed).
 * - normal: always applies (the floor).
 *
 * Timezone: the service's, when luxon knows it as an IANA zone; else config.timing.defaultTimezone
 * (and the result says the service's zone was invalid); else UTC, saying so too.
 */
import { DateTime, IANAZone } from 'luxon';
import type { ServiceMetadata } from '../evidence/model.js';
import type { RiskConfig } from './config.js';

export type TimingSituation = keyof RiskConfig['timing']['values'];

export interface TimingResult {
  /** The situation that applies with the largest configured value. */
  situation: TimingSituation;
  /** Every situation that applies, largest value first (`normal` always last among equals). */
  applies: TimingSituation[];
  /** Local wall-clock time, e.g. `Fri 2026-03-13 17:30 +01:00`. */
  local: string;
  /** The IANA zone the time was judged in. */
  timezone: string;
  /** The zone given (service or default) that was not a valid IANA zone, when one was not. */
  invalidTimezone?: string;
  /** The freeze window `now` falls in (the first listed), when it does. */
  freezeWindow?: ServiceMetadata['freezeWindows'][number];
  /** The holiday (YYYY-MM-DD) the local date is, when it is one. */
  holiday?: string;
  /** Freeze windows skipped because their start or end is not a date-time. */
  unparsableWindows: number;
}

const SITUATION_ORDER: readonly TimingSituation[] = ['freeze', 'fridayAfternoon', 'weekend', 'outOfHours', 'normal'];

/** luxon weekdays: Monday 1 .. Sunday 7. */
const FRIDAY = 5;
const SATURDAY = 6;
const SUNDAY = 7;

/** The zone to use and, when the preferred one was rejected, which one that was. */
export function resolveTimezone(timezone: string | null | undefined, defaultTimezone: string): { timezone: string; invalid?: string } {
  const valid = (z: string): boolean => z !== '' && IANAZone.isValidZone(z);
  if (timezone !== undefined && timezone !== null) {
    if (valid(timezone)) return { timezone };
    return { timezone: valid(defaultTimezone) ? defaultTimezone : 'UTC', invalid: timezone };
  }
  if (valid(defaultTimezone)) return { timezone: defaultTimezone };
  return { timezone: 'UTC', invalid: defaultTimezone };
}

/**
 * The timing situation at `now` in `timezone` (the service's; null/undefined for none), with the
 * service's freeze windows and the configured holidays. Pure: `now` is the only clock.
 */
export function timingSituation(
  now: Date,
  timezone: string | null | undefined,
  config: RiskConfig,
  freezeWindows: readonly ServiceMetadata['freezeWindows'][number][],
): TimingResult {
  const t = config.timing;
  const zone = resolveTimezone(timezone, t.defaultTimezone);
  const local = DateTime.fromJSDate(now, { zone: zone.timezone }).setLocale('en-US');
  const instant = now.getTime();

  const applies = new Set<TimingSituation>(['normal']);
  let freezeWindow: TimingResult['freezeWindow'];
  let holiday: string | undefined;
  let unparsableWindows = 0;

  for (const w of freezeWindows) {
    const start = Date.parse(w.start);
    const end = Date.parse(w.end);
    if (Number.isNaN(start) || Number.isNaN(end)) {
      unparsableWindows++;
      continue;
    }
    if (start <= instant && instant < end) {
      freezeWindow ??= w;
      applies.add('freeze');
    }
  }

  if (local.isValid) {
    const date = local.toISODate();
    if (date !== null && t.holidays.includes(date)) {
      holiday = date;
      applies.add('freeze');
    }
    const hour = local.hour + local.minute / 60 + local.second / 3600;
    if (local.weekday === FRIDAY && hour >= t.fridayAfternoonFrom) applies.add('fridayAfternoon');
    if (local.weekday === SATURDAY || local.weekday === SUNDAY) applies.add('weekend');
    const [start, end] = t.workingHours;
    if (hour < start || hour >= end) applies.add('outOfHours');
  }

  // Largest value first; ties keep SITUATION_ORDER (the more specific situation names the reason).
  const ordered = SITUATION_ORDER.filter((s) => applies.has(s)).sort((a, b) => t.values[b] - t.values[a]);
  const result: TimingResult = {
    situation: ordered[0] ?? 'normal',
    applies: ordered,
    local: local.isValid ? local.toFormat('ccc yyyy-LL-dd HH:mm ZZ') : 'invalid time',
    timezone: zone.timezone,
    unparsableWindows,
  };
  if (zone.invalid !== undefined) result.invalidTimezone = zone.invalid;
  if (freezeWindow !== undefined) result.freezeWindow = freezeWindow;
  if (holiday !== undefined) result.holiday = holiday;
  return result;
}
