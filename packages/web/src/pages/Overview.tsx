import { useEffect, useState } from 'react';
import { query, type LogEntry } from '../api.js';
import { useApp } from '../app-context.js';
import { ErrorNotice, Link, Loading, PageHeader } from '../ui.js';

/*
 * The overview: pushes, skips and failures over time from the sync log (an inline SVG chart with
 * the same numbers as a table for screen readers), and API usage against the budget.
 */

const PUSHED = new Set(['create', 'update', 'link', 'delete']);
const SERIES = [
  { key: 'pushed', label: 'Pushed', className: 'series-pushed' },
  { key: 'skipped', label: 'Skipped', className: 'series-skipped' },
  { key: 'failed', label: 'Failed', className: 'series-failed' },
] as const;
type SeriesKey = (typeof SERIES)[number]['key'];
type Bucket = { start: number } & Record<SeriesKey, number>;

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** The window shown and its step, from how far back the log goes: 2 hours, a day or a week. */
const RANGES = [
  { span: 2 * HOUR, step: 10 * 60_000 },
  { span: DAY, step: HOUR },
  { span: 7 * DAY, step: 12 * HOUR },
];

/** Log entries of the last 7 days (at most 2,000, newest first). */
async function recentLog(get: <T>(p: string) => Promise<T>): Promise<LogEntry[]> {
  const since = new Date(Date.now() - 7 * DAY).toISOString();
  const out: LogEntry[] = [];
  let cursor: number | null = null;
  do {
    const page: { items: LogEntry[]; nextCursor: number | null } = await get(
      `/log${query({ since, limit: 500, cursor })}`,
    );
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && out.length < 2000);
  return out;
}

function bucketize(entries: LogEntry[], now: number): { buckets: Bucket[]; step: number } {
  const oldest = entries.reduce((m, e) => Math.min(m, Date.parse(e.at)), now);
  const range = RANGES.find((r) => now - oldest <= r.span) ?? RANGES[RANGES.length - 1]!;
  const last = Math.floor(now / range.step) * range.step;
  const count = Math.round(range.span / range.step);
  const first = last - (count - 1) * range.step;
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({
    start: first + i * range.step,
    pushed: 0,
    skipped: 0,
    failed: 0,
  }));
  for (const e of entries) {
    const b = buckets[Math.floor((Date.parse(e.at) - first) / range.step)];
    if (b === undefined) continue;
    if (e.outcome === 'fail' || e.errorCode !== null) b.failed++;
    else if (PUSHED.has(e.outcome)) b.pushed++;
    else if (e.outcome === 'skip') b.skipped++;
  }
  return { buckets, step: range.step };
}

const tick = (t: number, step: number) =>
  new Date(t).toLocaleString(
    undefined,
    step >= 12 * HOUR
      ? { month: 'short', day: 'numeric', hour: '2-digit' }
      : { hour: '2-digit', minute: '2-digit' },
  );

function Chart({ buckets, step }: { buckets: Bucket[]; step: number }) {
  const W = 720;
  const H = 220;
  const pad = { l: 40, r: 12, t: 12, b: 28 };
  const max = Math.max(1, ...buckets.flatMap((b) => SERIES.map((s) => b[s.key])));
  const slot = (W - pad.l - pad.r) / buckets.length;
  const bar = Math.max(2, Math.min(14, (slot - 6) / SERIES.length));
  const y = (v: number) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  const ticks = max >= 4 ? [0, Math.round(max / 2), max] : [0, max];
  const labelEvery = Math.ceil(buckets.length / 6);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title chart-desc">
        <title id="chart-title">Pushes, skips and failures over time</title>
        <desc id="chart-desc">
          {buckets.length} intervals; totals:{' '}
          {SERIES.map((s) => `${s.label.toLowerCase()} ${buckets.reduce((n, b) => n + b[s.key], 0)}`).join(
            ', ',
          )}
          .
        </desc>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={pad.l} x2={W - pad.r} y1={y(v)} y2={y(v)} className="grid" />
            <text x={pad.l - 6} y={y(v) + 4} textAnchor="end" className="axis">
              {v}
            </text>
          </g>
        ))}
        {buckets.map((b, i) => {
          const x0 = pad.l + i * slot + (slot - bar * SERIES.length) / 2;
          return (
            <g key={b.start}>
              {SERIES.map((s, k) =>
                b[s.key] === 0 ? null : (
                  <rect
                    key={s.key}
                    className={`bar ${s.className}`}
                    x={x0 + k * bar}
                    y={y(b[s.key])}
                    width={bar - 1}
                    height={H - pad.b - y(b[s.key])}
                  />
                ),
              )}
              {i % labelEvery === 0 && (
                <text x={pad.l + i * slot + slot / 2} y={H - 8} textAnchor="middle" className="axis">
                  {tick(b.start, step)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {SERIES.map((s) => (
          <span key={s.key}>
            <span className={`swatch ${s.className}`} aria-hidden="true" /> {s.label}
          </span>
        ))}
      </figcaption>
      <table className="sr-only">
        <caption>Pushes, skips and failures per interval</caption>
        <thead>
          <tr>
            <th scope="col">From</th>
            {SERIES.map((s) => (
              <th scope="col" key={s.key}>
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {buckets.map((b) => (
            <tr key={b.start}>
              <th scope="row">{new Date(b.start).toLocaleString()}</th>
              {SERIES.map((s) => (
                <td key={s.key}>{b[s.key]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function Overview() {
  const { api, connection } = useApp();
  const [entries, setEntries] = useState<LogEntry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    recentLog(api.get).then(setEntries, setError);
  }, [api]);

  const now = Date.now();
  const day = entries?.filter((e) => Date.parse(e.at) >= now - DAY) ?? [];
  const count = (f: (e: LogEntry) => boolean) => day.filter(f).length;
  const usage = connection?.apiUsage;
  return (
    <>
      <PageHeader title="Overview">
        <p>
          What crmsync did in the last 7 days. Details of every record are in the{' '}
          <Link to="/log">sync log</Link>.
        </p>
      </PageHeader>
      <ErrorNotice error={error} />
      <dl className="stats">
        <div className="stat">
          <dt>Pushed (24 h)</dt>
          <dd>{entries === null ? '…' : count((e) => PUSHED.has(e.outcome) && e.errorCode === null)}</dd>
        </div>
        <div className="stat">
          <dt>Skipped (24 h)</dt>
          <dd>{entries === null ? '…' : count((e) => e.outcome === 'skip')}</dd>
        </div>
        <div className="stat">
          <dt>Failed (24 h)</dt>
          <dd>{entries === null ? '…' : count((e) => e.outcome === 'fail' || e.errorCode !== null)}</dd>
        </div>
        <div className="stat">
          <dt>API requests (24 h)</dt>
          <dd>{usage === undefined ? '…' : usage.last24Hours.toLocaleString()}</dd>
        </div>
      </dl>
      <section className="card" aria-labelledby="activity-title">
        <h2 id="activity-title">Activity</h2>
        {entries === null ? (
          error === null && <Loading what="the sync log" />
        ) : entries.length === 0 ? (
          <p className="muted">Nothing synced in the last 7 days yet.</p>
        ) : (
          <Chart {...bucketize(entries, now)} />
        )}
      </section>
      <section className="card" aria-labelledby="budget-title">
        <h2 id="budget-title">API usage and budget</h2>
        {usage === undefined ? (
          <p className="muted">Connect Salesforce to see API usage.</p>
        ) : (
          <>
            {usage.budget !== null && usage.budget > 0 && (
              <div className="field">
                <label htmlFor="budget-meter">
                  {usage.last24Hours.toLocaleString()} of {usage.budget.toLocaleString()} requests used (
                  {Math.min(100, Math.round((usage.last24Hours / usage.budget) * 100))}%)
                </label>
                <meter
                  id="budget-meter"
                  min={0}
                  max={usage.budget}
                  low={usage.budget * 0.75}
                  high={usage.budget * 0.9}
                  optimum={0}
                  value={Math.min(usage.last24Hours, usage.budget)}
                />
              </div>
            )}
            <p>
              crmsync made <strong>{usage.last24Hours.toLocaleString()}</strong> Salesforce API requests in
              the last 24 hours. It may use <strong>{usage.budgetPercent}%</strong> of the org's daily
              allocation (O3)
              {usage.orgDailyLimit === null ? (
                ''
              ) : (
                <>
                  {' '}
                  of <strong>{usage.orgDailyLimit.toLocaleString()}</strong>, a budget of{' '}
                  <strong>{(usage.budget ?? 0).toLocaleString()}</strong> requests
                </>
              )}
              , and stops before it runs out; change this on the{' '}
              <Link to="/settings/salesforce/api-budget">API budget</Link> page.
            </p>
            {usage.orgUsed !== null && usage.orgDailyLimit !== null && (
              <p className="muted">
                The whole org has used {usage.orgUsed.toLocaleString()} of its{' '}
                {usage.orgDailyLimit.toLocaleString()} requests today; crmsync keeps {usage.reservePercent}%
                in reserve for other integrations.
              </p>
            )}
          </>
        )}
      </section>
    </>
  );
}
