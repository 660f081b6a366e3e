import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, type DryRunCounts, type SettingsPreview } from '../../api.js';
import { useApp } from '../../app-context.js';
import { Button, Dialog, ErrorNotice, Loading, Notice, PageHeader } from '../../ui.js';

/*
 * One settings page: edits a draft of the whole settings document (only its own section changes),
 * and saves it with PUT /settings, which checks the whole document and lists every problem. A page
 * that changes what gets pushed first shows the dry run (POST /settings/preview, O2) and saves only
 * when the admin confirms.
 */

export type Doc = Record<string, unknown>;

export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function setPath(doc: Doc, path: string, value: unknown): Doc {
  const [head, ...rest] = path.split('.');
  if (head === undefined) return doc;
  const child = doc[head];
  return {
    ...doc,
    [head]:
      rest.length === 0
        ? value
        : setPath(child !== null && typeof child === 'object' ? (child as Doc) : {}, rest.join('.'), value),
  };
}

export interface Draft {
  doc: Doc;
  get<T>(path: string): T;
  set(path: string, value: unknown): void;
}

export const CRUMBS = ['Settings', 'Integrations', 'Salesforce'];

export function SettingsForm(props: {
  title: string;
  intro?: ReactNode;
  /** True when a change here can change what gets pushed: the save shows a preview first. */
  affectsPush: boolean;
  children: (draft: Draft) => ReactNode;
}) {
  const { api, settings, settingsError, reloadSettings, connection } = useApp();
  const [doc, setDoc] = useState<Doc | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const [preview, setPreview] = useState<{
    result: SettingsPreview | null;
    unavailable: string | null;
  } | null>(null);

  useEffect(() => {
    if (settings !== null) setDoc(structuredClone(settings.settings));
  }, [settings]);

  if (settings === null || doc === null) {
    return (
      <>
        <PageHeader title={props.title} crumbs={CRUMBS} />
        {settingsError !== null ? <ErrorNotice error={settingsError} /> : <Loading what="settings" />}
      </>
    );
  }
  const dirty = JSON.stringify(doc) !== JSON.stringify(settings.settings);
  const draft: Draft = {
    doc,
    get: <T,>(path: string) => getPath(doc, path) as T,
    set: (path, value) => {
      setSaved(null);
      setDoc((d) => setPath(d ?? {}, path, value));
    },
  };

  async function save() {
    setBusy(true);
    setError(null);
    try {
      const out = await api.put<{ version: number }>('/settings', doc);
      setPreview(null);
      setSaved(out.version);
      await reloadSettings();
    } catch (e) {
      setPreview(null);
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    if (!props.affectsPush) return save();
    setBusy(true);
    setError(null);
    try {
      setPreview({ result: await api.post<SettingsPreview>('/settings/preview', doc), unavailable: null });
    } catch (err) {
      // A document the server refuses is shown as is; a preview that needs Salesforce when it is not
      // connected is explained in the dialog, since nothing can be pushed then anyway.
      if (
        err instanceof ApiError &&
        err.code !== 'SETTINGS_INVALID' &&
        err.status !== 400 &&
        !connection?.connected
      )
        setPreview({ result: null, unavailable: err.message });
      else setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title={props.title} crumbs={CRUMBS}>
        {props.intro}
      </PageHeader>
      <form className="settings-form" onSubmit={submit} aria-label={`${props.title} settings`}>
        {props.children(draft)}
        <ErrorNotice error={error} title="Not saved" />
        {saved !== null && <Notice kind="success">Settings saved (version {saved}).</Notice>}
        <div className="save-bar">
          <Button type="submit" variant="primary" disabled={busy || !dirty}>
            {busy ? 'Working…' : props.affectsPush ? 'Save…' : 'Save'}
          </Button>
          <Button disabled={busy || !dirty} onClick={() => setDoc(structuredClone(settings.settings))}>
            Discard changes
          </Button>
          {!dirty && saved === null && <span className="muted">No unsaved changes.</span>}
        </div>
      </form>
      {preview !== null && (
        <PreviewDialog
          preview={preview.result}
          unavailable={preview.unavailable}
          busy={busy}
          onCancel={() => setPreview(null)}
          onConfirm={() => void save()}
        />
      )}
    </>
  );
}

const TYPE_LABEL: Record<string, string> = { person: 'People', company: 'Companies' };
const pushed = (c: DryRunCounts) => c.created + c.linked + c.updated;

const DONE: Record<string, string> = {
  create: 'created',
  update: 'updated',
  link: 'linked',
  delete: 'deleted',
  unchanged: 'unchanged',
};

function describeDecision(label: string): string {
  if (label === 'missing') return 'not found';
  if (label.startsWith('skip:')) return `skipped (${label.slice(5).replace(/_/g, ' ')})`;
  return DONE[label] ?? label;
}

function PreviewDialog(props: {
  preview: SettingsPreview | null;
  unavailable: string | null;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const p = props.preview;
  return (
    <Dialog title="Preview of this change" onClose={props.onCancel}>
      {p === null ? (
        <Notice kind="info">
          No preview: {props.unavailable} Salesforce is not connected, so saving pushes nothing until you
          connect.
        </Notice>
      ) : (
        <>
          {(p.problems?.length ?? 0) > 0 && (
            <Notice kind="error" title="Salesforce would not accept these settings">
              <ul className="problems">
                {p.problems!.map((x, i) => (
                  <li key={i}>
                    <code>{x.path}</code> {x.message}
                  </li>
                ))}
              </ul>
            </Notice>
          )}
          <p>
            What each record would do if it were touched now, under the saved settings and under your changes.
            Nothing is saved or sent until you press Save settings.
          </p>
          <table className="table">
            <caption className="sr-only">Records pushed and skipped before and after the change</caption>
            <thead>
              <tr>
                <th scope="col">Records</th>
                <th scope="col">Pushed now</th>
                <th scope="col">Skipped now</th>
                <th scope="col">Pushed after</th>
                <th scope="col">Skipped after</th>
              </tr>
            </thead>
            <tbody>
              {Object.keys(p.after).map((type) => {
                const b = p.before[type]!;
                const a = p.after[type]!;
                return (
                  <tr key={type}>
                    <th scope="row">{TYPE_LABEL[type] ?? type}</th>
                    <td>{pushed(b)}</td>
                    <td>{b.skipped}</td>
                    <td>{pushed(a)}</td>
                    <td>{a.skipped}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {p.changed.length === 0 ? (
            <p>No record changes its outcome.</p>
          ) : (
            <>
              <h3>
                {p.changed.length === 100 ? 'At least 100' : p.changed.length} record
                {p.changed.length === 1 ? '' : 's'} change outcome
              </h3>
              <ul className="changed-list">
                {p.changed.slice(0, 20).map((c) => (
                  <li key={`${c.type}:${c.id}`}>
                    <code>{c.id}</code>: {describeDecision(c.before)} → {describeDecision(c.after)}
                  </li>
                ))}
              </ul>
              {p.changed.length > 20 && <p className="muted">and {p.changed.length - 20} more.</p>}
            </>
          )}
        </>
      )}
      <div className="dialog-actions">
        <Button
          variant="primary"
          disabled={props.busy || (p?.problems?.length ?? 0) > 0}
          onClick={props.onConfirm}
        >
          Save settings
        </Button>
        <Button disabled={props.busy} onClick={props.onCancel}>
          Cancel
        </Button>
      </div>
    </Dialog>
  );
}
