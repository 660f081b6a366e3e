import { useState } from 'react';
import { Button, RadioGroup, TextField } from '../../ui.js';

interface Side {
  domains: string[];
  addresses: string[];
  subjectKeywords: string[];
}
export interface ExclusionRule {
  name: string;
  from: Side;
  to: Side;
  join: 'and' | 'or';
}
const emptySide = (): Side => ({ domains: [], addresses: [], subjectKeywords: [] });
const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function SideEditor(props: { title: 'From' | 'To'; side: Side; onChange: (s: Side) => void }) {
  const s = props.side;
  return (
    <fieldset className="rule-side">
      <legend>{props.title}</legend>
      <TextField
        label={`${props.title} domains`}
        value={s.domains.join(', ')}
        onChange={(v) => props.onChange({ ...s, domains: list(v) })}
        placeholder="ymail.org"
      />
      <TextField
        label={`${props.title} addresses`}
        value={s.addresses.join(', ')}
        onChange={(v) => props.onChange({ ...s, addresses: list(v) })}
        placeholder="ceo@acme.example"
      />
      <TextField
        label={`${props.title} subject keywords`}
        value={s.subjectKeywords.join(', ')}
        onChange={(v) => props.onChange({ ...s, subjectKeywords: list(v) })}
        placeholder="Confidential"
      />
    </fieldset>
  );
}

/** E4: exclusion rules, each with a From and a To side joined by AND or OR. */
export function ExclusionRules(props: { rules: ExclusionRule[]; onChange: (r: ExclusionRule[]) => void }) {
  const [editing, setEditing] = useState<number | null>(null);
  const update = (i: number, r: ExclusionRule) =>
    props.onChange(props.rules.map((x, j) => (j === i ? r : x)));
  return (
    <div className="rules">
      <p className="muted">
        Within a side, values of one kind are alternatives and the kinds you fill in must all match: From
        “ymail.org” with the keyword “Confidential” drops only mail from ymail.org whose subject contains
        Confidential. The To side matches when any To recipient matches; CC and BCC are never looked at.
      </p>
      {props.rules.length === 0 && (
        <p className="muted">No exclusion rules: no email is dropped by a rule.</p>
      )}
      <ol className="rule-list">
        {props.rules.map((r, i) => (
          <li key={i} className="rule">
            {editing === i ? (
              <fieldset className="rule-edit">
                <legend>Rule {i + 1}</legend>
                <TextField
                  label="Rule name"
                  value={r.name}
                  onChange={(v) => update(i, { ...r, name: v })}
                  hint="The sync log names this rule when it drops an email."
                />
                <div className="rule-sides">
                  <SideEditor title="From" side={r.from} onChange={(from) => update(i, { ...r, from })} />
                  <RadioGroup
                    legend="Combine From and To with"
                    value={r.join}
                    onChange={(join) => update(i, { ...r, join })}
                    options={[
                      { value: 'and', label: 'AND', hint: 'drop only emails that match both sides' },
                      { value: 'or', label: 'OR', hint: 'drop emails that match either side' },
                    ]}
                  />
                  <SideEditor title="To" side={r.to} onChange={(to) => update(i, { ...r, to })} />
                </div>
                <Button onClick={() => setEditing(null)}>Done with rule {i + 1}</Button>
              </fieldset>
            ) : (
              <div className="rule-summary">
                <strong>{r.name || 'Unnamed rule'}</strong>
                <span className="muted">{summary(r)}</span>
                <Button
                  variant="link"
                  onClick={() => setEditing(i)}
                  aria-label={`Edit rule ${r.name || i + 1}`}
                >
                  Edit
                </Button>
                <Button
                  variant="link"
                  onClick={() => {
                    props.onChange(props.rules.filter((_, j) => j !== i));
                    setEditing(null);
                  }}
                  aria-label={`Remove rule ${r.name || i + 1}`}
                >
                  Remove
                </Button>
              </div>
            )}
          </li>
        ))}
      </ol>
      <Button
        onClick={() => {
          props.onChange([...props.rules, { name: '', from: emptySide(), to: emptySide(), join: 'and' }]);
          setEditing(props.rules.length);
        }}
      >
        Add exclusion rule
      </Button>
    </div>
  );
}

function summary(r: ExclusionRule): string {
  const side = (s: Side) =>
    [
      s.domains.length > 0 ? `domain ${s.domains.join(' or ')}` : '',
      s.addresses.length > 0 ? `address ${s.addresses.join(' or ')}` : '',
      s.subjectKeywords.length > 0 ? `subject has ${s.subjectKeywords.join(' or ')}` : '',
    ]
      .filter((x) => x !== '')
      .join(' and ');
  const from = side(r.from);
  const to = side(r.to);
  const parts = [from === '' ? '' : `from ${from}`, to === '' ? '' : `to ${to}`].filter((x) => x !== '');
  return parts.length === 0
    ? 'matches nothing yet'
    : `drops email ${parts.join(r.join === 'and' ? ' AND ' : ' OR ')}`;
}
