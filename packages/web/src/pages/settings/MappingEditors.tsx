import { useState } from 'react';
import { MAPPABLE_LOCAL_FIELDS, MAPPED_OBJECTS, type MappedObject } from '../../core.js';
import { Button, SelectField, TextField } from '../../ui.js';
import type { Draft } from './SettingsForm.js';

interface Mapping {
  local: string;
  salesforce: string;
  writeRule: 'overwrite' | 'fill_if_empty';
  tooLong: 'truncate' | 'reject';
}

/** X5/X6: the field mapping of one Salesforce object at a time. */
export function FieldMappingEditor(props: { draft: Draft }) {
  const [object, setObject] = useState<MappedObject>('Contact');
  const path = `fieldMappings.${object}`;
  const rows = props.draft.get<Mapping[] | undefined>(path) ?? [];
  const set = (next: Mapping[]) => props.draft.set(path, next);
  const locals = MAPPABLE_LOCAL_FIELDS[object];
  return (
    <>
      <SelectField
        label="Salesforce object"
        value={object}
        options={MAPPED_OBJECTS.map((o) => ({ value: o, label: o }))}
        onChange={setObject}
      />
      <table className="table mapping">
        <caption>{object} fields crmsync writes</caption>
        <thead>
          <tr>
            <th scope="col">crmsync field</th>
            <th scope="col">Salesforce field</th>
            <th scope="col">Write rule</th>
            <th scope="col">Too long</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((m, i) => {
            const put = (patch: Partial<Mapping>) =>
              set(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
            const n = `${object} mapping ${i + 1}`;
            return (
              <tr key={i}>
                <td>
                  <select
                    aria-label={`${n}: crmsync field`}
                    value={m.local}
                    onChange={(e) => put({ local: e.target.value })}
                  >
                    {[...new Set([m.local, ...locals])].map((f) => (
                      <option key={f} value={f}>
                        {f}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input
                    aria-label={`${n}: Salesforce field`}
                    value={m.salesforce}
                    spellCheck={false}
                    onChange={(e) => put({ salesforce: e.target.value })}
                  />
                </td>
                <td>
                  <select
                    aria-label={`${n}: write rule`}
                    value={m.writeRule}
                    onChange={(e) => put({ writeRule: e.target.value as Mapping['writeRule'] })}
                  >
                    <option value="overwrite">Overwrite</option>
                    <option value="fill_if_empty">Fill only if empty</option>
                  </select>
                </td>
                <td>
                  <select
                    aria-label={`${n}: when too long`}
                    value={m.tooLong}
                    onChange={(e) => put({ tooLong: e.target.value as Mapping['tooLong'] })}
                  >
                    <option value="truncate">Cut to fit</option>
                    <option value="reject">Refuse the record</option>
                  </select>
                </td>
                <td>
                  <Button
                    variant="link"
                    onClick={() => set(rows.filter((_, j) => j !== i))}
                    aria-label={`Remove ${n}`}
                  >
                    Remove
                  </Button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <Button
        onClick={() =>
          set([
            ...rows,
            { local: locals[0] ?? '', salesforce: '', writeRule: 'overwrite', tooLong: 'truncate' },
          ])
        }
      >
        Add {object} field
      </Button>
    </>
  );
}

/** D6: each local deal stage to an Opportunity StageName. */
export function StageMappingEditor(props: { stages: string[] | null; draft: Draft }) {
  const mapping = props.draft.get<Record<string, string> | undefined>('deals.stageMapping') ?? {};
  const stages = [...new Set([...(props.stages ?? []), ...Object.keys(mapping)])];
  const [extra, setExtra] = useState('');
  const put = (stage: string, value: string) => {
    const next = { ...mapping };
    if (value.trim() === '') delete next[stage];
    else next[stage] = value;
    props.draft.set('deals.stageMapping', next);
  };
  return (
    <>
      {stages.length === 0 && <p className="muted">This workspace has no deal stages yet.</p>}
      <table className="table">
        <caption>Deal stage → Salesforce Opportunity stage (StageName)</caption>
        <thead>
          <tr>
            <th scope="col">crmsync deal stage</th>
            <th scope="col">Salesforce stage</th>
          </tr>
        </thead>
        <tbody>
          {stages.map((s) => (
            <tr key={s}>
              <th scope="row">{s}</th>
              <td>
                <input
                  aria-label={`Salesforce stage for ${s}`}
                  value={mapping[s] ?? ''}
                  placeholder="e.g. Prospecting"
                  onChange={(e) => put(s, e.target.value)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.stages === null && (
        <div className="inline-form">
          <TextField label="Add a deal stage to map" value={extra} onChange={setExtra} />
          <Button
            onClick={() => {
              if (extra.trim() !== '') put(extra.trim(), extra.trim());
              setExtra('');
            }}
          >
            Add stage
          </Button>
        </div>
      )}
    </>
  );
}
