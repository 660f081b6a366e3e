import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
} from 'react';
import { ApiError } from './api.js';
import { Link } from './router.js';

/* The few building blocks every page uses, so labels, hints, errors and focus look the same everywhere. */

export function PageHeader(props: { title: string; crumbs?: string[]; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${props.title} · crmsync`;
  }, [props.title]);
  return (
    <header className="page-header">
      {props.crumbs !== undefined && (
        <nav aria-label="Breadcrumb" className="crumbs">
          <ol>
            {props.crumbs.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ol>
        </nav>
      )}
      <h1>{props.title}</h1>
      {props.children !== undefined && <div className="page-intro">{props.children}</div>}
    </header>
  );
}

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'danger' | 'link';
};

export function Button({ variant = 'secondary', className, type = 'button', ...rest }: ButtonProps) {
  return <button type={type} className={`btn btn-${variant}${className ? ` ${className}` : ''}`} {...rest} />;
}

export function Notice(props: {
  kind: 'error' | 'info' | 'success' | 'warning';
  title?: string;
  children: ReactNode;
}) {
  // Errors interrupt (alert); everything else is announced politely (status).
  return (
    <div className={`notice notice-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.title !== undefined && <strong className="notice-title">{props.title}</strong>}
      <div>{props.children}</div>
    </div>
  );
}

/** An API error as a person reads it: the server's sentence, then each problem with where it is. */
export function ErrorNotice(props: { error: unknown; title?: string }) {
  const e = props.error;
  if (e === null || e === undefined) return null;
  const message = e instanceof Error ? e.message : String(e);
  const problems = e instanceof ApiError ? e.problems : [];
  return (
    <Notice kind="error" {...(props.title === undefined ? {} : { title: props.title })}>
      <p>{message}</p>
      {problems.length > 0 && (
        <ul className="problems">
          {problems.map((p, i) => (
            <li key={i}>
              {p.path !== '' && <code>{p.path}</code>} {p.message}
            </li>
          ))}
        </ul>
      )}
    </Notice>
  );
}

export function Hint(props: { id: string; children: ReactNode }) {
  return (
    <p className="hint" id={props.id}>
      {props.children}
    </p>
  );
}

export function Checkbox(props: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ReactNode;
  disabled?: boolean;
}) {
  const hintId = useId();
  return (
    <div className="field field-check">
      <label>
        <input
          type="checkbox"
          checked={props.checked}
          disabled={props.disabled}
          onChange={(e) => props.onChange(e.target.checked)}
          aria-describedby={props.hint === undefined ? undefined : hintId}
        />
        <span>{props.label}</span>
      </label>
      {props.hint !== undefined && <Hint id={hintId}>{props.hint}</Hint>}
    </div>
  );
}

type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> & {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
};

export function TextField({ label, value, onChange, hint, ...rest }: TextFieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={hint === undefined ? undefined : `${id}-hint`}
        {...rest}
      />
      {hint !== undefined && <Hint id={`${id}-hint`}>{hint}</Hint>}
    </div>
  );
}

export function NumberField(props: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  min?: number;
  max?: number;
  step?: number;
  unit?: string;
  hint?: ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <span className="with-unit">
        <input
          id={id}
          type="number"
          inputMode="decimal"
          value={Number.isFinite(props.value) ? props.value : ''}
          min={props.min}
          max={props.max}
          step={props.step ?? 1}
          onChange={(e) => props.onChange(e.target.value === '' ? Number.NaN : Number(e.target.value))}
          aria-describedby={props.hint === undefined ? undefined : `${id}-hint`}
        />
        {props.unit !== undefined && <span aria-hidden="true">{props.unit}</span>}
      </span>
      {props.hint !== undefined && <Hint id={`${id}-hint`}>{props.hint}</Hint>}
    </div>
  );
}

export function SelectField<V extends string>(props: {
  label: string;
  value: V;
  options: readonly { value: V; label: string }[];
  onChange: (value: V) => void;
  hint?: ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as V)}
        aria-describedby={props.hint === undefined ? undefined : `${id}-hint`}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.hint !== undefined && <Hint id={`${id}-hint`}>{props.hint}</Hint>}
    </div>
  );
}

export function RadioGroup<V extends string>(props: {
  legend: string;
  value: V;
  options: readonly { value: V; label: string; hint?: string }[];
  onChange: (value: V) => void;
}) {
  const name = useId();
  return (
    <fieldset className="field radios">
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label key={o.value}>
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={props.value === o.value}
            onChange={() => props.onChange(o.value)}
          />
          <span>
            {o.label}
            {o.hint !== undefined && <span className="hint-inline">{o.hint}</span>}
          </span>
        </label>
      ))}
    </fieldset>
  );
}

/** A modal dialog (the native element: focus is trapped and Escape closes it). */
export function Dialog(props: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useLayoutEffect(() => {
    const d = ref.current;
    if (d !== null && !d.open) d.showModal();
    // Closing before React removes it hands focus back to the control that opened it.
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className="dialog"
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

export function Section(props: { title: string; children: ReactNode; id?: string }) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={props.id ?? id}>
      <h2 id={props.id ?? id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {props.what}…
    </p>
  );
}

export { Link };

export const formatDateTime = (iso: string): string =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
