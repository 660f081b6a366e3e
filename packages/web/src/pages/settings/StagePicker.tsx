import { Button, Checkbox, TextField } from '../../ui.js';

/** Stage checkboxes from the workspace's stage list, or a comma-separated field when the list is unknown. */
export function StagePicker(props: {
  legend: string;
  known: string[] | null;
  value: string[];
  onChange: (v: string[]) => void;
}) {
  if (props.known === null || props.known.length === 0) {
    return (
      <TextField
        label={props.legend}
        value={props.value.join(', ')}
        onChange={(v) =>
          props.onChange(
            v
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== ''),
          )
        }
        hint="Stage names separated by commas, exactly as in your workspace."
      />
    );
  }
  const chosen = new Set(props.value);
  return (
    <fieldset className="field checks">
      <legend>{props.legend}</legend>
      {props.known.map((stage) => (
        <Checkbox
          key={stage}
          label={stage}
          checked={chosen.has(stage)}
          onChange={(on) =>
            props.onChange(on ? [...props.value, stage] : props.value.filter((s) => s !== stage))
          }
        />
      ))}
      {props.value
        .filter((s) => !props.known!.includes(s))
        .map((s) => (
          <p key={s} className="hint">
            “{s}” is not a stage of this workspace any more; the server refuses it until you untick it.{' '}
            <Button variant="link" onClick={() => props.onChange(props.value.filter((x) => x !== s))}>
              Remove {s}
            </Button>
          </p>
        ))}
    </fieldset>
  );
}
