import { Liquid, Output, Tokenizer, TypeGuards, type FilterImplOptions, type Template } from 'liquidjs';
import { TEMPLATE_VARIABLES, type TemplateActivity } from '../settings/template-variables.js';

/*
 * E5: title templates are logic-less. A template is text with `{{ variable }}` and
 * `{{ variable | filter: "literal", 3 }}`, nothing else: no tags (no loops, conditions,
 * assignments, includes, raw or comment blocks), no literals printed on their own, no bracket
 * access, and only the variables of TEMPLATE_VARIABLES for the activity. The check walks what
 * liquidjs parsed rather than pattern-matching the text, so what is checked is what would run.
 *
 * Defence in depth, because templates are typed by admins and rendered on the server: the
 * liquidjs instances below have no tags registered at all and only the allow-listed filters,
 * read own properties only, get a scope holding nothing but the allow-listed values, and have
 * an in-memory empty file system, so even a template that slipped past the check cannot reach
 * a prototype, the file system or any code.
 */

export type TemplateCheck = { ok: true } | { ok: false; problem: string; knownVariables: readonly string[] };

/** The variables a template of this activity may use, for the settings UI. */
export function templateVariablesFor(activity: TemplateActivity): readonly string[] {
  return TEMPLATE_VARIABLES[activity];
}

/** Filters that only reshape a value. No filter that reads the clock, files or other variables. */
export const TEMPLATE_FILTERS = [
  'upcase',
  'downcase',
  'capitalize',
  'truncate',
  'truncatewords',
  'default',
  'date',
  'strip',
  'lstrip',
  'rstrip',
  'strip_newlines',
  'append',
  'prepend',
  'replace',
  'remove',
  'round',
] as const;
const ALLOWED_FILTERS: ReadonlySet<string> = new Set(TEMPLATE_FILTERS);

/** The settings schema's limit on a template (`titleTemplate` max 2000), enforced here too for callers that skip it. */
export const MAX_TEMPLATE_LENGTH = 2000;

function restrictedLiquid(strictFilters: boolean): Liquid {
  const liquid = new Liquid({
    strictFilters,
    strictVariables: false, // a missing value renders empty (E5: never fail a push on data)
    ownPropertyOnly: true,
    templates: {}, // in-memory, empty: no partial or layout can ever be read from disk
    // Rendering must not depend on the server's zone or language: pure, repeatable titles.
    timezoneOffset: 0,
    locale: 'en-US',
    parseLimit: MAX_TEMPLATE_LENGTH * 4,
    memoryLimit: 10_000_000,
  });
  for (const name of Object.keys(liquid.tags)) delete liquid.tags[name];
  for (const name of Object.keys(liquid.filters)) if (!ALLOWED_FILTERS.has(name)) delete liquid.filters[name];
  const date = liquid.filters['date'];
  if (date !== undefined) liquid.filters['date'] = pureDate(date);
  return liquid;
}

/** liquidjs' `date` reads the clock for "now" and "today"; a title must not, so those stay text. */
function pureDate(original: FilterImplOptions): FilterImplOptions {
  const handler = typeof original === 'function' ? original : original.handler;
  return function (this: unknown, value: unknown, ...args: unknown[]) {
    if (typeof value === 'string' && /^\s*(now|today)\s*$/i.test(value)) return value;
    return handler.call(this as never, value, ...args);
  } as FilterImplOptions;
}

/** Parses without strict filters so an unknown filter gets our message, not liquidjs'. */
const checker = restrictedLiquid(false);
/** Renders with strict filters: only checked templates reach it. */
const renderer = restrictedLiquid(true);

/** E5: checks a title template on save; an unknown variable or any logic is refused with the known variables. */
export function checkTemplate(activity: TemplateActivity, source: string): TemplateCheck {
  const known = TEMPLATE_VARIABLES[activity];
  const refuse = (problem: string): TemplateCheck => ({ ok: false, problem, knownVariables: known });
  const usable = `Title templates use only {{ variable }} and {{ variable | filter }}; ${activity} templates can use ${known.join(', ')}.`;

  if (source.length > MAX_TEMPLATE_LENGTH) {
    return refuse(
      `The template is ${source.length.toLocaleString('en-US')} characters long; a title template can have at most ${MAX_TEMPLATE_LENGTH.toLocaleString('en-US')}.`,
    );
  }
  let templates: Template[];
  try {
    const tokens = new Tokenizer(source, checker.options.operators).readTopLevelTokens(checker.options);
    const tag = tokens.find((t) => TypeGuards.isTagToken(t));
    if (tag !== undefined && TypeGuards.isTagToken(tag)) {
      return refuse(
        `"${clip(tag.getText())}" is not allowed: title templates are logic-less, so tags such as {% ${tag.name} %} are refused. ${usable}`,
      );
    }
    templates = checker.parse(source);
  } catch (error) {
    return refuse(`The template cannot be read: ${firstLine(error)}. ${usable}`);
  }

  for (const template of templates) {
    if (!(template instanceof Output)) continue;
    const text = clip(template.token.getText());
    const postfix = template.value.initial.postfix;
    const only = postfix.length === 1 ? postfix[0] : undefined;
    if (only === undefined || !TypeGuards.isPropertyAccessToken(only) || only.variable !== undefined) {
      return refuse(`"${text}" is not allowed: print a variable, not a value or an expression. ${usable}`);
    }
    if (!only.props.every((p) => TypeGuards.isWordToken(p))) {
      return refuse(
        `"${text}" is not allowed: write variables with dots, such as person.name, not with brackets. ${usable}`,
      );
    }
    const path = only.props.map((p) => (TypeGuards.isWordToken(p) ? p.content : '')).join('.');
    if (!(known as readonly string[]).includes(path)) {
      return refuse(
        `"${text}" uses the unknown variable "${path}"; ${activity} templates can use ${known.join(', ')}.`,
      );
    }
    for (const filter of template.value.filters) {
      if (!ALLOWED_FILTERS.has(filter.name)) {
        return refuse(
          `"${text}" uses the filter "${filter.name}", which is not allowed; allowed filters: ${TEMPLATE_FILTERS.join(', ')}.`,
        );
      }
      for (const arg of filter.args) {
        if (Array.isArray(arg) || !(TypeGuards.isQuotedToken(arg) || TypeGuards.isNumberToken(arg))) {
          return refuse(
            `"${text}" gives the filter "${filter.name}" an argument that is not plain text in quotes or a number; filter arguments cannot be variables or names.`,
          );
        }
      }
    }
  }
  return { ok: true };
}

/** A value the engine supplies for one template variable; null or undefined renders empty. */
export type TemplateValue = string | number | boolean | null | undefined;

/** Values by variable name as TEMPLATE_VARIABLES spells it: `{ subject: 'Hi', 'person.name': 'Jane' }`. */
export type TemplateValues<A extends TemplateActivity> = Partial<
  Record<(typeof TEMPLATE_VARIABLES)[A][number], TemplateValue>
>;

export type RenderedTitle =
  | { ok: true; title: string; truncated: boolean }
  /** Only for a template that fails the save check (a document edited by hand, an old version). */
  | { ok: false; rule: 'E5'; problem: string };

/**
 * E5: the title of an activity from its template, cut to `maxLength` (Salesforce's Subject is
 * 255). Never fails on data: a missing value renders empty, runs of white space and line breaks
 * become one space (a title is one line, and an empty value leaves no double space), and the
 * cut never splits a character in two. Synchronous, no I/O, no clock.
 */
export function renderTitle<A extends TemplateActivity>(
  activity: A,
  source: string,
  vars: TemplateValues<A>,
  maxLength: number,
): RenderedTitle {
  const check = checkTemplate(activity, source);
  if (!check.ok) return { ok: false, rule: 'E5', problem: check.problem };

  let rendered: string;
  try {
    rendered = String(renderer.renderSync(renderer.parse(source), scopeFor(activity, vars)));
  } catch (error) {
    // A filter can still refuse odd data (e.g. a huge repeat count); the title must not fail the push.
    return {
      ok: false,
      rule: 'E5',
      problem: `The ${activity} title could not be rendered: ${firstLine(error)}.`,
    };
  }
  const oneLine = rendered.replace(/\s+/g, ' ').trim();
  const title = cut(oneLine, Math.max(0, Math.floor(maxLength))).trimEnd();
  return { ok: true, title, truncated: title.length < oneLine.length };
}

/**
 * The render scope: only the allow-listed variables, copied value by value from `vars`, so
 * whatever else the caller's object carries (or inherits) is out of reach.
 */
function scopeFor(
  activity: TemplateActivity,
  vars: Partial<Record<string, TemplateValue>>,
): Record<string, unknown> {
  const scope: Record<string, unknown> = {};
  for (const path of TEMPLATE_VARIABLES[activity]) {
    if (!Object.hasOwn(vars, path)) continue;
    const value = vars[path];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    // Paths are at most `object.field` (see template-variables.ts).
    const [head = path, field] = path.split('.');
    if (field === undefined) {
      scope[head] = value;
    } else {
      const object = (Object.hasOwn(scope, head) ? scope[head] : (scope[head] = {})) as Record<
        string,
        unknown
      >;
      object[field] = value;
    }
  }
  return scope;
}

/** At most `max` UTF-16 units, never ending in half of a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).replace(/\.$/, '');
}
