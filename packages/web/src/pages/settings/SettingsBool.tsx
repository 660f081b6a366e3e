import { Checkbox } from '../../ui.js';
import type { Draft } from './SettingsForm.js';

/** A checkbox bound to one boolean setting of the draft. */
export function bool(d: Draft, path: string, label: string, hint?: string) {
  return (
    <Checkbox
      label={label}
      checked={d.get<boolean>(path) === true}
      onChange={(v) => d.set(path, v)}
      {...(hint === undefined ? {} : { hint })}
    />
  );
}
