import { z } from 'zod';
import type { StageLists } from '../model/workspace.js';
import { checkTemplate } from '../policy/templates.js';
import { MAPPABLE_LOCAL_FIELDS, MAPPED_OBJECTS } from './field-maps.js';
import { problemsFromZod, suggest, type SettingsProblem } from './problems.js';
import { Settings } from './schema.js';
import { upgradeSettings } from './upgrade.js';
import type { TemplateActivity } from './template-variables.js';

export type { SettingsProblem } from './problems.js';

/** What a settings document is checked against beyond its own shape. */
export interface SettingsContext {
  /** The workspace's stage lists: selected stages and mapped deal stages must exist in them. */
  stages?: StageLists;
}

export type ParseSettingsResult =
  { ok: true; settings: Settings; upgradedFrom: number | null } | { ok: false; problems: SettingsProblem[] };

const SECTIONS = Object.keys(Settings.shape) as (keyof typeof Settings.shape)[];

/** Known keys at a dotted path of the document, for "did you mean" hints. */
function knownKeysAt(path: string): readonly string[] {
  let schema: z.ZodType = Settings;
  for (const part of path === '' ? [] : path.split('.')) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject)
      schema = (schema.shape as Record<string, z.ZodType>)[part] ?? z.never();
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else return [];
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

/**
 * Parses a settings document of any known version. A bad document is refused whole, with every
 * problem found: shape problems of every section, and the checks that need a whole section
 * (stage lists, templates, exclusion rules, field mappings).
 */
export function parseSettings(input: unknown, context: SettingsContext = {}): ParseSettingsResult {
  const upgraded = upgradeSettings(input);
  if (!upgraded.ok) return { ok: false, problems: [{ path: 'version', message: upgraded.problem }] };
  const doc = upgraded.document;

  const problems: SettingsProblem[] = [];
  const parsed = Settings.safeParse(doc);
  if (!parsed.success) problems.push(...problemsFromZod(parsed.error, doc, knownKeysAt));

  // Sections that parsed on their own still get their semantic checks, so one document shows
  // every mistake at once rather than one round-trip per mistake.
  for (const section of SECTIONS) {
    const one = Settings.shape[section].safeParse(doc[section]);
    if (one.success) problems.push(...semanticProblems(section, one.data, context));
  }

  if (problems.length > 0) return { ok: false, problems };
  if (!parsed.success) throw new Error('unreachable: a failed parse always reports a problem');
  return {
    ok: true,
    settings: parsed.data,
    upgradedFrom: upgraded.from === parsed.data.version ? null : upgraded.from,
  };
}

function stageProblems(
  path: string,
  chosen: readonly string[],
  known: readonly string[] | undefined,
  what: string,
): SettingsProblem[] {
  if (known === undefined) return [];
  return chosen
    .filter((s) => !known.includes(s))
    .map((s) => {
      const hint = suggest(s, known);
      return {
        path,
        message: `"${s}" is not one of the workspace's ${what} stages${hint ? ` (did you mean "${hint}"?)` : ''}; known stages: ${known.join(', ') || 'none yet'}.`,
      };
    });
}

function templateProblem(path: string, activity: TemplateActivity, source: string): SettingsProblem[] {
  const check = checkTemplate(activity, source);
  return check.ok ? [] : [{ path, message: check.problem }];
}

function semanticProblems(section: string, value: unknown, context: SettingsContext): SettingsProblem[] {
  const out: SettingsProblem[] = [];
  switch (section) {
    case 'contacts': {
      const c = value as Settings['contacts'];
      if (c.pushMode === 'stages' && c.stages.length === 0) {
        out.push({
          path: 'contacts.stages',
          message: 'push by stage needs at least one stage; select stages or choose "all".',
        });
      }
      out.push(...stageProblems('contacts.stages', c.stages, context.stages?.people, 'people'));
      break;
    }
    case 'accounts': {
      const a = value as Settings['accounts'];
      if (a.pushMode === 'stages' && a.stages.length === 0) {
        out.push({
          path: 'accounts.stages',
          message: 'push by stage needs at least one stage; select stages or choose "all".',
        });
      }
      out.push(...stageProblems('accounts.stages', a.stages, context.stages?.companies, 'company'));
      break;
    }
    case 'deals': {
      const d = value as Settings['deals'];
      out.push(
        ...stageProblems('deals.stageMapping', Object.keys(d.stageMapping), context.stages?.deals, 'deal'),
      );
      break;
    }
    case 'activities': {
      const act = value as Settings['activities'];
      out.push(...templateProblem('activities.emails.titleTemplate', 'email', act.emails.titleTemplate));
      out.push(...templateProblem('activities.tasks.titleTemplate', 'task', act.tasks.titleTemplate));
      out.push(...templateProblem('activities.calls.titleTemplate', 'call', act.calls.titleTemplate));
      act.emails.exclusionRules.forEach((rule, i) => {
        const path = `activities.emails.exclusionRules.${i}`;
        const empty = (s: typeof rule.from) =>
          s.domains.length + s.addresses.length + s.subjectKeywords.length === 0;
        if (empty(rule.from) && empty(rule.to)) {
          out.push({
            path,
            message: `rule "${rule.name}" matches nothing: give its From or To side a domain, an address or a subject keyword.`,
          });
        }
        for (const side of ['from', 'to'] as const) {
          rule[side].domains.forEach((d, j) => {
            if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(d.replace(/^@/, ''))) {
              out.push({
                path: `${path}.${side}.domains.${j}`,
                message: `"${d}" is not a domain; write it like ymail.org.`,
              });
            }
          });
          rule[side].addresses.forEach((a, j) => {
            if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a)) {
              out.push({
                path: `${path}.${side}.addresses.${j}`,
                message: `"${a}" is not an email address; write it like jane@ymail.org.`,
              });
            }
          });
        }
      });
      break;
    }
    case 'fieldMappings': {
      const maps = value as Settings['fieldMappings'];
      for (const object of MAPPED_OBJECTS) {
        const seen = new Set<string>();
        maps[object].forEach((m, i) => {
          const allowed = MAPPABLE_LOCAL_FIELDS[object];
          if (!allowed.includes(m.local)) {
            const hint = suggest(m.local, allowed);
            out.push({
              path: `fieldMappings.${object}.${i}.local`,
              message: `"${m.local}" is not a local field that maps to ${object}${hint ? ` (did you mean "${hint}"?)` : ''}; choose one of ${allowed.join(', ')}.`,
            });
          }
          const target = m.salesforce.toLowerCase();
          if (seen.has(target)) {
            out.push({
              path: `fieldMappings.${object}.${i}.salesforce`,
              message: `${object}.${m.salesforce} is mapped twice; map each Salesforce field from one local field only.`,
            });
          }
          seen.add(target);
        });
      }
      break;
    }
  }
  return out;
}

/** The defaults table as a complete current document. */
export function defaultSettings(): Settings {
  return Settings.parse({ version: Settings.shape.version.value });
}
