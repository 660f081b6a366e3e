import { useCallback, useEffect, useState } from 'react';
import { query, type PushResult, type StoredRecord } from '../api.js';
import { useApp } from '../app-context.js';
import { Button, Checkbox, ErrorNotice, Link, Loading, Notice, PageHeader } from '../ui.js';
import { PushAll } from './PushAll.js';

/*
 * People, Companies and Deals: a page at a time from the API, searched by the API (`q=`, across
 * every page), checkboxes, and "Push to Salesforce" (M1: manual pushes override the push
 * settings) with the outcome reported per record. Deals hidden by D5 show behind a toggle.
 */

interface Kind {
  type: 'person' | 'company' | 'deal';
  path: 'people' | 'companies' | 'deals';
  search: string;
  title: string;
  noun: string;
  columns: { label: string; value: (r: StoredRecord) => string }[];
}

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const personName = (r: StoredRecord) =>
  [str(r.data['firstName']), str(r.data['lastName'])].filter((s) => s !== '').join(' ') || r.id;

const PEOPLE: Kind = {
  type: 'person',
  path: 'people',
  title: 'People',
  noun: 'person',
  search: 'Search by name or email',
  columns: [
    { label: 'Email', value: (r) => str(r.data['email']) },
    { label: 'Title', value: (r) => str(r.data['title']) },
    { label: 'Stage', value: (r) => str(r.data['stage']) },
  ],
};
const COMPANIES: Kind = {
  type: 'company',
  path: 'companies',
  title: 'Companies',
  noun: 'company',
  search: 'Search by name or website',
  columns: [
    { label: 'Website', value: (r) => str(r.data['website']) },
    { label: 'Stage', value: (r) => str(r.data['stage']) },
  ],
};
const DEALS: Kind = {
  type: 'deal',
  path: 'deals',
  title: 'Deals',
  noun: 'deal',
  search: 'Search by name',
  columns: [
    { label: 'Stage', value: (r) => str(r.data['stage']) },
    {
      label: 'Amount',
      value: (r) => (typeof r.data['amount'] === 'number' ? r.data['amount'].toLocaleString() : ''),
    },
    { label: 'Close date', value: (r) => str(r.data['closeDate']) },
    { label: 'From', value: (r) => (r.data['origin'] === 'salesforce' ? 'Salesforce' : 'crmsync') },
  ],
};
const nameOf = (k: Kind, r: StoredRecord) =>
  k.type === 'person' ? personName(r) : str(r.data['name']) || r.id;

export const People = () => <RecordList kind={PEOPLE} />;
export const Companies = () => <RecordList kind={COMPANIES} />;
export const Deals = () => <RecordList kind={DEALS} />;

/** One record's push outcome in plain words. */
function describe(outcome: Record<string, unknown>): { ok: boolean; text: string } {
  const status = outcome['status'];
  if (status === 'failed') return { ok: false, text: str(outcome['message']) };
  if (status === 'budget') return { ok: false, text: str(outcome['message']) };
  const action = str(outcome['action']);
  const sfObject = str(outcome['sfObject']) || (str(outcome['sfId']) === '' ? '' : 'Opportunity');
  const where = [sfObject, str(outcome['sfId'])].filter((s) => s !== '').join(' ');
  const verb: Record<string, string> = {
    create: 'Created',
    update: 'Updated',
    link: 'Linked to an existing record and updated',
    delete: 'Deleted',
    skip: 'Skipped',
    unchanged: 'Already up to date',
    overwritten: 'Overwritten from Salesforce',
    missing: 'Not found',
  };
  const reason = str(outcome['reason']);
  return {
    ok: action !== 'skip' && action !== 'missing',
    text: `${verb[action] ?? action}${where === '' ? '' : ` ${where}`}${reason === '' ? '' : `: ${reason}`}`,
  };
}

function RecordList({ kind }: { kind: Kind }) {
  const { api, connection } = useApp();
  const [items, setItems] = useState<StoredRecord[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [search, setSearch] = useState('');
  // The search the list shows: `search` once typing pauses, so each keystroke is not a request.
  const [q, setQ] = useState('');
  const [showHidden, setShowHidden] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [pushing, setPushing] = useState(false);
  const [results, setResults] = useState<{ name: string; ok: boolean; text: string; id: string }[] | null>(
    null,
  );

  useEffect(() => {
    const t = setTimeout(() => setQ(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);

  const load = useCallback(
    async (after: string | null) => {
      try {
        const page = await api.get<{ items: StoredRecord[]; nextCursor: string | null }>(
          `/${kind.path}${query({
            limit: 100,
            cursor: after,
            q,
            hidden: kind.type === 'deal' && showHidden ? 'include' : undefined,
          })}`,
        );
        setError(null);
        setItems((prev) => (after === null ? page.items : [...(prev ?? []), ...page.items]));
        setCursor(page.nextCursor);
      } catch (e) {
        setError(e);
      }
    },
    [api, kind.path, kind.type, q, showHidden],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  const shown = items ?? [];
  const byId = new Map(shown.map((r) => [r.id, r]));
  const allShownSelected = shown.length > 0 && shown.every((r) => selected.has(r.id));
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const n = new Set(s);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });

  async function push() {
    setPushing(true);
    setError(null);
    setResults(null);
    try {
      const ids = [...selected];
      const out = await api.post<{ results: PushResult[] }>('/push', { [kind.path]: ids });
      setResults(
        out.results
          .filter((r) => r.type === kind.type)
          .map((r) => {
            const rec = byId.get(r.id);
            return { id: r.id, name: rec === undefined ? r.id : nameOf(kind, rec), ...describe(r.outcome) };
          }),
      );
      setSelected(new Set());
    } catch (e) {
      setError(e);
    } finally {
      setPushing(false);
    }
  }

  return (
    <>
      <PageHeader title={kind.title}>
        <p>
          Select {kind.path} and push them now. A manual push overrides the push settings (M1); every outcome
          is also in the <Link to="/log">sync log</Link>.
        </p>
      </PageHeader>
      <div className="toolbar" role="toolbar" aria-label={`${kind.title} actions`}>
        <label className="search">
          <span className="sr-only">Search {kind.path}</span>
          <input
            type="search"
            placeholder={kind.search}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        {kind.type === 'deal' && (
          <Checkbox
            label="Show hidden deals"
            checked={showHidden}
            onChange={setShowHidden}
            hint="Deals that came from Salesforce while “hide deals” is on (D5)"
          />
        )}
        <span className="muted" aria-live="polite">
          {selected.size} selected
        </span>
        <Button variant="primary" disabled={selected.size === 0 || pushing} onClick={() => void push()}>
          {pushing ? 'Pushing…' : 'Push to Salesforce'}
        </Button>
        {kind.type === 'person' && <PushAll />}
      </div>
      {connection !== null && !connection.connected && (
        <Notice kind="info">
          Salesforce is not connected: <Link to="/connect">connect it</Link> before pushing.
        </Notice>
      )}
      <ErrorNotice error={error} title="Could not push" />
      {results !== null && (
        <section className="card" aria-label="Push results">
          <h2>Push results</h2>
          <ul className="results">
            {results.map((r) => (
              <li key={r.id} className={r.ok ? 'ok' : 'bad'}>
                <strong>{r.name}</strong>: {r.text}
              </li>
            ))}
          </ul>
        </section>
      )}
      {items === null ? (
        error === null && <Loading what={kind.path} />
      ) : (
        <table className="table records">
          <caption className="sr-only">{kind.title}</caption>
          <thead>
            <tr>
              <th scope="col" className="check">
                <input
                  type="checkbox"
                  aria-label={`Select all ${kind.path} shown`}
                  checked={allShownSelected}
                  onChange={(e) => {
                    const on = e.target.checked;
                    setSelected((s) => {
                      const n = new Set(s);
                      for (const r of shown) on ? n.add(r.id) : n.delete(r.id);
                      return n;
                    });
                  }}
                />
              </th>
              <th scope="col">Name</th>
              {kind.columns.map((c) => (
                <th scope="col" key={c.label}>
                  {c.label}
                </th>
              ))}
              <th scope="col">Id</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id} className={selected.has(r.id) ? 'selected' : undefined}>
                <td className="check">
                  <input
                    type="checkbox"
                    aria-label={`Select ${nameOf(kind, r)}`}
                    checked={selected.has(r.id)}
                    onChange={(e) => toggle(r.id, e.target.checked)}
                  />
                </td>
                <th scope="row">{nameOf(kind, r)}</th>
                {kind.columns.map((c) => (
                  <td key={c.label}>{c.value(r)}</td>
                ))}
                <td>
                  <code>{r.id}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {items !== null && shown.length === 0 && <p className="muted">No {kind.path} match.</p>}
      {cursor !== null && <Button onClick={() => void load(cursor)}>Load more {kind.path}</Button>}
    </>
  );
}
