import { useId, useRef } from 'react';
import { renderTitle, TEMPLATE_FILTERS, TEMPLATE_VARIABLES, type TemplateActivity } from '../../core.js';
import { Hint } from '../../ui.js';

/*
 * E5's editor. The preview uses core's own renderer (pure, browser-safe) with sample values, so it
 * shows what the engine would write; whether a template is accepted is decided by the server on
 * save, which lists the known variables when it refuses one.
 */

const SAMPLE = {
  subject: 'Pricing for next quarter',
  direction: 'outgoing',
  from: 'sam@demo-sales.example',
  to: 'ada@acme.example',
  sentAt: '2026-03-02T09:30:00Z',
  title: 'Send the proposal',
  type: 'call',
  status: 'open',
  priority: 'high',
  dueDate: '2026-03-05',
  outcome: 'Connected',
  duration: '00:12:30',
  durationMinutes: 12,
  calledAt: '2026-03-02T10:00:00Z',
  'person.name': 'Ada Lovelace',
  'person.firstName': 'Ada',
  'person.lastName': 'Lovelace',
  'person.email': 'ada@acme.example',
  'person.title': 'CTO',
  'company.name': 'Acme',
  'company.website': 'https://acme.example',
  'company.industry': 'Software',
  'deal.name': 'Acme renewal',
  'deal.stage': 'Proposal',
  'deal.amount': 48000,
  'owner.name': 'Sam Seller',
  'owner.email': 'sam@demo-sales.example',
} as const;

/** E5: the title template with its variables (click to insert) and a live preview on sample data. */
export function TemplateEditor(props: {
  activity: TemplateActivity;
  value: string;
  onChange: (v: string) => void;
}) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const known = TEMPLATE_VARIABLES[props.activity];
  const vars = Object.fromEntries(known.map((k) => [k, SAMPLE[k as keyof typeof SAMPLE]]));
  const rendered = renderTitle(props.activity, props.value, vars, 255);

  function insert(name: string) {
    const el = area.current;
    const token = `{{ ${name} }}`;
    const at = el?.selectionStart ?? props.value.length;
    const end = el?.selectionEnd ?? at;
    props.onChange(props.value.slice(0, at) + token + props.value.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  }

  return (
    <div className="template-editor">
      <div className="field">
        <label htmlFor={id}>Title template</label>
        <textarea
          id={id}
          ref={area}
          rows={2}
          value={props.value}
          spellCheck={false}
          onChange={(e) => props.onChange(e.target.value)}
          aria-describedby={`${id}-hint`}
        />
        <Hint id={`${id}-hint`}>
          Logic-less: <code>{'{{ variable }}'}</code> or <code>{'{{ variable | filter }}'}</code>. Filters:{' '}
          {TEMPLATE_FILTERS.join(', ')}. The title is cut to 255 characters.
        </Hint>
      </div>
      <div className="template-vars">
        <h4 id={`${id}-vars`}>Variables you can use</h4>
        <ul aria-labelledby={`${id}-vars`} className="chips">
          {known.map((v) => (
            <li key={v}>
              <button type="button" className="chip" onClick={() => insert(v)} aria-label={`Insert ${v}`}>
                {v}
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div className="template-preview">
        <span className="preview-label" id={`${id}-preview`}>
          Preview with sample data
        </span>
        <output aria-labelledby={`${id}-preview`} className={rendered.ok ? 'preview-ok' : 'preview-bad'}>
          {rendered.ok ? rendered.title || '(empty title)' : rendered.problem}
        </output>
      </div>
    </div>
  );
}
