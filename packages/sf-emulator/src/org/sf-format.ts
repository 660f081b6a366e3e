// Salesforce's wire formats for dates: `2013-05-20T20:49:32.000+0000` and `2024-01-31`.

// Every write formats a stamp; stamps cluster within the same second, so the
// `YYYY-MM-DDTHH:mm:ss.` prefix is reused and only the milliseconds are appended.
let cachedSecond = Number.NaN;
let cachedPrefix = '';

export function formatDateTime(date: Date): string {
  const ms = date.getTime();
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const millis = ms - second * 1000;
  return `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}+0000`;
}

export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Parses any ISO-8601 date-time Salesforce accepts (`Z`, `+00:00`, `+0000`, no zone = UTC). */
export function parseDateTime(text: string): Date | undefined {
  const m =
    /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
      text.trim(),
    );
  if (m === null) return undefined;
  const [, day, time = '00:00:00', zone = 'Z'] = m;
  const normalizedZone =
    zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const fullTime = time.length === 5 ? `${time}:00` : time;
  const date = new Date(`${day}T${fullTime}${normalizedZone}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function parseDate(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(text.trim());
  if (m === null) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || formatDate(date) !== `${m[1]}-${m[2]}-${m[3]}`
    ? undefined
    : formatDate(date);
}
