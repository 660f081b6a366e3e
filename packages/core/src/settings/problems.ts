import type { z } from 'zod';

/** One thing wrong with a settings document: where, and a sentence an admin can act on. */
export interface SettingsProblem {
  /** Dotted path such as `contacts.pushMode` or `activities.emails.exclusionRules.0.name`; '' for the whole document. */
  path: string;
  message: string;
}

export function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(
        row[j]! + 1,
        row[j - 1]! + 1,
        prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest known name, when it is close enough to be a likely typo. */
export function suggest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** Turns zod's issues into plain sentences naming the setting, what was given and what is allowed. */
export function problemsFromZod(
  error: z.ZodError,
  root: unknown,
  knownKeysAt: (path: string) => readonly string[],
): SettingsProblem[] {
  const out: SettingsProblem[] = [];
  for (const issue of error.issues) {
    const path = pathOf(issue.path);
    const given = valueAt(root, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const hint = suggest(key, knownKeysAt(path));
          out.push({
            path: path === '' ? key : `${path}.${key}`,
            message: `"${key}" is not a setting${path === '' ? '' : ` of ${path}`}${hint ? `; did you mean "${hint}"?` : '; remove it.'}`,
          });
        }
        break;
      case 'invalid_value':
        out.push({
          path,
          message: `${describe(given)} is not allowed; choose one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}.`,
        });
        break;
      case 'invalid_type':
        out.push({
          path,
          message:
            given === undefined
              ? `is required and must be ${article(issue.expected)}.`
              : `must be ${article(issue.expected)}, not ${describe(given)}.`,
        });
        break;
      case 'too_small':
      case 'too_big': {
        if (!/^Too (small|big)/.test(issue.message)) {
          out.push({ path, message: `${issue.message}.` });
          break;
        }
        const small = issue.code === 'too_small';
        const limit = Number(
          small ? (issue as { minimum: unknown }).minimum : (issue as { maximum: unknown }).maximum,
        );
        const strict = !issue.inclusive;
        const bound =
          issue.origin === 'string'
            ? `${small ? 'at least' : 'at most'} ${limit.toLocaleString('en-US')} characters`
            : issue.origin === 'array'
              ? `${small ? 'at least' : 'at most'} ${limit.toLocaleString('en-US')} entries`
              : `${small ? (strict ? 'greater than' : 'at least') : strict ? 'less than' : 'at most'} ${limit}`;
        const what =
          issue.origin === 'string' ? (small ? 'too short' : 'too long') : small ? 'too small' : 'too large';
        out.push({ path, message: `${describe(given)} is ${what}; it must be ${bound}.` });
        break;
      }
      default:
        out.push({ path, message: `${capitalize(issue.message)}.` });
    }
  }
  return out;
}

function article(type: string): string {
  const t = type === 'boolean' ? 'true or false' : type === 'int' ? 'whole number' : type;
  return t === 'true or false' ? t : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function capitalize(s: string): string {
  const t = s.replace(/\.$/, '');
  return t.charAt(0).toUpperCase() + t.slice(1);
}
