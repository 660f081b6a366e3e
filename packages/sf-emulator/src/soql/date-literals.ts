// SOQL's relative date literals (TODAY, LAST_N_DAYS:n, THIS_MONTH, ...) as half-open UTC ranges
// on the org's clock. The emulator's users are all on GMT and the fiscal year is the calendar
// year (Salesforce's defaults), so FISCAL literals equal their calendar twins.
import { soqlErrors } from './soql-errors.js';

/** [startMs, endMs): a value matches `= LITERAL` when start <= value < end. */
export interface DateRange {
  startMs: number;
  endMs: number;
}

type Unit = 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';

const DAY_MS = 86_400_000;

function startOf(unit: Unit, at: Date): Date {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  switch (unit) {
    case 'DAY':
      return new Date(Date.UTC(y, m, d));
    case 'WEEK':
      // Weeks start on Sunday in Salesforce's default (en_US) locale.
      return new Date(Date.UTC(y, m, d - at.getUTCDay()));
    case 'MONTH':
      return new Date(Date.UTC(y, m, 1));
    case 'QUARTER':
      return new Date(Date.UTC(y, m - (m % 3), 1));
    case 'YEAR':
      return new Date(Date.UTC(y, 0, 1));
  }
}

function add(unit: Unit, at: Date, n: number): Date {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  switch (unit) {
    case 'DAY':
      return new Date(at.getTime() + n * DAY_MS);
    case 'WEEK':
      return new Date(at.getTime() + n * 7 * DAY_MS);
    case 'MONTH':
      return new Date(Date.UTC(y, m + n, d));
    case 'QUARTER':
      return new Date(Date.UTC(y, m + 3 * n, d));
    case 'YEAR':
      return new Date(Date.UTC(y + n, m, d));
  }
}

function range(start: Date, end: Date): DateRange {
  return { startMs: start.getTime(), endMs: end.getTime() };
}

/** The unit's period `offset` periods away from the current one (0 = this, -1 = last, 1 = next). */
function period(unit: Unit, now: Date, offset: number): DateRange {
  const start = add(unit, startOf(unit, now), offset);
  return range(start, add(unit, start, 1));
}

const FIXED: Record<string, (now: Date) => DateRange> = {
  YESTERDAY: (now) => period('DAY', now, -1),
  TODAY: (now) => period('DAY', now, 0),
  TOMORROW: (now) => period('DAY', now, 1),
  LAST_90_DAYS: (now) => lastN('DAY', now, 90),
  NEXT_90_DAYS: (now) => nextN('DAY', now, 90),
};
for (const unit of ['WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const) {
  FIXED[`LAST_${unit}`] = (now) => period(unit, now, -1);
  FIXED[`THIS_${unit}`] = (now) => period(unit, now, 0);
  FIXED[`NEXT_${unit}`] = (now) => period(unit, now, 1);
}
for (const unit of ['QUARTER', 'YEAR'] as const) {
  FIXED[`LAST_FISCAL_${unit}`] = (now) => period(unit, now, -1);
  FIXED[`THIS_FISCAL_${unit}`] = (now) => period(unit, now, 0);
  FIXED[`NEXT_FISCAL_${unit}`] = (now) => period(unit, now, 1);
}

// LAST_N_DAYS:n includes today and the n days before it; NEXT_N_DAYS:n starts tomorrow. The
// week/month/quarter/year forms cover whole periods and exclude the current one.
function lastN(unit: Unit, now: Date, n: number): DateRange {
  if (unit === 'DAY') {
    const today = startOf('DAY', now);
    return range(add('DAY', today, -n), add('DAY', today, 1));
  }
  const current = startOf(unit, now);
  return range(add(unit, current, -n), current);
}

function nextN(unit: Unit, now: Date, n: number): DateRange {
  const following = add(unit, startOf(unit, now), 1);
  return range(following, add(unit, following, n));
}

function ago(unit: Unit, now: Date, n: number): DateRange {
  return period(unit, now, -n);
}

const N_FORMS: Array<{ pattern: RegExp; build: (unit: Unit, now: Date, n: number) => DateRange }> = [
  { pattern: /^LAST_N_(?:FISCAL_)?(DAY|WEEK|MONTH|QUARTER|YEAR)S$/, build: lastN },
  { pattern: /^NEXT_N_(?:FISCAL_)?(DAY|WEEK|MONTH|QUARTER|YEAR)S$/, build: nextN },
  { pattern: /^N_(?:FISCAL_)?(DAY|WEEK|MONTH|QUARTER|YEAR)S_AGO$/, build: ago },
];

/** The range a date literal (`TODAY`, `LAST_N_DAYS:30`) covers at `now`; MALFORMED_QUERY when unknown. */
export function dateLiteralRange(literal: string, now: Date): DateRange {
  const upper = literal.toUpperCase();
  const fixed = FIXED[upper];
  if (fixed !== undefined) return fixed(now);
  const [name = '', count] = upper.split(':');
  const n = Number(count);
  if (count !== undefined && /^\d+$/.test(count)) {
    for (const form of N_FORMS) {
      const match = form.pattern.exec(name);
      if (match !== null) return form.build(match[1] as Unit, now, n);
    }
  }
  throw soqlErrors.malformed(`unexpected token: '${literal}': not a date literal the emulator knows`);
}
