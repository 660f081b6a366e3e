import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { API, query, type LogEntry } from '../api.js';
import { useApp } from '../app-context.js';
import {
  Button,
  ErrorNotice,
  formatDateTime,
  Loading,
  Notice,
  PageHeader,
  SelectField,
  TextField,
} from '../ui.js';

/*
 * The sync log (O1): every decision, newest first, with why in plain words; filtered by record,
 * Salesforce object, outcome and rule; a failed record can be retried (O4).
 */

const RECORD_TYPES = [
  'person',
  'company',
  'deal',
  'email',
  'note',
  'task',
  'call',
  'meeting',
  'meeting_summary',
];
const OBJECTS = [
  'Contact',
  'Lead',
  'Account',
  'Opportunity',
  'OpportunityContactRole',
  'Task',
  'Event',
  'Note',
];
const OUTCOMES: { value: string; label: string }[] = [
  { value: '', label: 'Any outcome' },
  { value: 'create,update,link,delete', label: 'Pushed (created, updated, linked, deleted)' },
  { value: 'create', label: 'Created' },
  { value: 'update', label: 'Updated' },
  { value: 'link', label: 'Linked' },
  { value: 'delete', label: 'Deleted' },
  { value: 'skip', label: 'Skipped' },
  { value: 'fail', label: 'Failed' },
  { value: 'budget_wait', label: 'Waiting for API budget' },
];
const OUTCOME_LABEL: Record<string, string> = {
  create: 'Created',
  update: 'Updated',
  link: 'Linked',
  delete: 'Deleted',
  skip: 'Skipped',
  fail: 'Failed',
  missing: 'Not found',
  budget_wait: 'Waiting for budget',
};

interface Filters {
  recordType: string;
  recordId: string;
  sfObject: string;
  outcome: string;
  rule: string;
}
const NO_FILTERS: Filters = { recordType: '', recordId: '', sfObject: '', outcome: '', rule: '' };

/** Filters from the address bar, so a link can open the log on one record. */
function filtersFromUrl(): Filters {
  const p = new URLSearchParams(location.search);
  return {
    recordType: p.get('recordType') ?? '',
    recordId: p.get('recordId') ?? '',
    sfObject: p.get('sfObject') ?? '',
    outcome: p.get('outcome') ?? '',
    rule: p.get('rule') ?? '',
  };
}

export function SyncLog() {
  const { api, session } = useApp();
  const [form, setForm] = useState<Filters>(filtersFromUrl);
  const [applied, setApplied] = useState<Filters>(form);
  const [items, setItems] = useState<LogEntry[] | null>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [retried, setRetried] = useState<Record<number, string>>({});

  const params = (f: Filters) => ({
    recordType: f.recordType || (f.recordId !== '' ? 'person' : ''),
    recordId: f.recordId.trim(),
    sfObject: f.sfObject,
    outcome: f.outcome,
    rule: f.rule.trim().toUpperCase(),
  });

  const load = useCallback(
    async (f: Filters, after: number | null) => {
      setError(null);
      try {
        const page = await api.get<{ items: LogEntry[]; nextCursor: number | null }>(
          `/log${query({ ...params(f), limit: 50, cursor: after })}`,
        );
        setItems((prev) => (after === null ? page.items : [...(prev ?? []), ...page.items]));
        setCursor(page.nextCursor);
      } catch (e) {
        setError(e);
        if (after === null) setItems([]);
      }
    },
    [api],
  );
  useEffect(() => {
    void load(applied, null);
  }, [load, applied]);

  function apply(e: FormEvent) {
    e.preventDefault();
    setItems(null);
    setApplied(form);
    history.replaceState(null, '', `/log${query({ ...form })}`);
  }

  async function retry(entry: LogEntry) {
    try {
      const out = await api.post<{ retried: number }>('/retry', {
        record: { type: entry.recordType, id: entry.recordId },
      });
      setRetried((r) => ({
        ...r,
        [entry.id]:
          out.retried === 0
            ? 'Nothing to retry: it is not waiting as a failure any more.'
            : 'Queued again; the workers push it now.',
      }));
    } catch (e) {
      setRetried((r) => ({ ...r, [entry.id]: e instanceof Error ? e.message : String(e) }));
    }
  }

  // The CSV needs the key in a header, so it is fetched here and handed to the browser as a file.
  async function downloadCsv() {
    try {
      const res = await fetch(`${API}/log.csv${query(params(applied))}`, {
        headers: { authorization: `Bearer ${session.key}` },
      });
      if (!res.ok) throw new Error(`The CSV export failed (${res.status}).`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = 'crmsync-sync-log.csv';
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError(e);
    }
  }

  const set = (k: keyof Filters) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  return (
    <>
      <PageHeader title="Sync log">
        <p>
          Every decision crmsync made, newest first, with the rules that applied and why.{' '}
          <Button variant="link" onClick={() => void downloadCsv()}>
            Download as CSV
          </Button>
        </p>
      </PageHeader>
      <form className="filters card" onSubmit={apply} aria-label="Filter the sync log">
        <SelectField
          label="Record type"
          value={form.recordType}
          options={[
            { value: '', label: 'Any record type' },
            ...RECORD_TYPES.map((t) => ({ value: t, label: t })),
          ]}
          onChange={set('recordType')}
        />
        <TextField
          label="Record id"
          value={form.recordId}
          onChange={set('recordId')}
          placeholder="e.g. p_123"
        />
        <SelectField
          label="Salesforce object"
          value={form.sfObject}
          options={[{ value: '', label: 'Any object' }, ...OBJECTS.map((o) => ({ value: o, label: o }))]}
          onChange={set('sfObject')}
        />
        <SelectField label="Outcome" value={form.outcome} options={OUTCOMES} onChange={set('outcome')} />
        <TextField label="Rule" value={form.rule} onChange={set('rule')} placeholder="e.g. C3" />
        <div className="filter-actions">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          <Button
            onClick={() => {
              setForm(NO_FILTERS);
              setItems(null);
              setApplied(NO_FILTERS);
              history.replaceState(null, '', '/log');
            }}
          >
            Clear
          </Button>
        </div>
      </form>
      <ErrorNotice error={error} />
      {items === null ? (
        <Loading what="the sync log" />
      ) : items.length === 0 ? (
        <Notice kind="info">No log entries match these filters.</Notice>
      ) : (
        <table className="table log">
          <caption className="sr-only">Sync log entries</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Record</th>
              <th scope="col">Outcome</th>
              <th scope="col">Salesforce</th>
              <th scope="col">Why</th>
              <th scope="col">Rules</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => {
              const failed = e.outcome === 'fail' || e.errorCode !== null;
              return (
                <tr key={e.id} className={failed ? 'failed' : undefined}>
                  <td>
                    <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                  </td>
                  <td>
                    {e.recordType} <code>{e.recordId}</code>
                  </td>
                  <td>
                    <span className={`pill pill-${failed ? 'fail' : e.outcome}`}>
                      {OUTCOME_LABEL[e.outcome] ?? e.outcome}
                    </span>
                  </td>
                  <td>{e.sfObject === null ? '—' : `${e.sfObject}${e.sfId === null ? '' : ` ${e.sfId}`}`}</td>
                  <td>
                    {e.why}
                    {e.errorMessage !== null && e.errorMessage !== e.why && (
                      <p className="hint">{e.errorMessage}</p>
                    )}
                    {failed && (
                      <div className="retry">
                        <Button
                          onClick={() => void retry(e)}
                          aria-label={`Retry ${e.recordType} ${e.recordId}`}
                        >
                          Retry
                        </Button>
                        {retried[e.id] !== undefined && <span role="status">{retried[e.id]}</span>}
                      </div>
                    )}
                  </td>
                  <td>{e.rules.join(', ')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {cursor !== null && <Button onClick={() => void load(applied, cursor)}>Load older entries</Button>}
    </>
  );
}
