import type { Company } from '../model/company.js';
import type { Link, LinkState } from '../model/link.js';
import type { Person } from '../model/person.js';
import type { Settings } from '../settings/schema.js';
import type { RuleId, SkipCode } from './decision.js';

/*
 * The cheap check run when a change arrives (ingest): could this change be pushed at all? It
 * decides on the record, its link and the settings only, with no Salesforce lookup, so it can
 * run inside the ingest transaction. The full decision (`decidePush`) is made again at send
 * time under the settings in force then; both share the gates below, so they cannot disagree.
 */

export type ChangeKind = 'created' | 'updated' | 'deleted';

export type EligibilityInput =
  | {
      kind: 'person';
      record: Person;
      previous: Person | null;
      link: Link | null;
      change: ChangeKind;
      settings: Settings;
      orgId: string;
    }
  | {
      kind: 'company';
      record: Company;
      previous: Company | null;
      link: Link | null;
      change: ChangeKind;
      settings: Settings;
      orgId: string;
    };

export type EligibleCode =
  | 'linked' // C1, A6
  | 'net_new' // C2, A1 (and C3, A2 `all`)
  | 'in_selected_stage' // C3, A2
  | 'moved_into_selected_stage' // C3, A2
  | 'delete_travels'; // C10, A4

export type Eligibility =
  | { eligible: true; effect: 'push' | 'delete'; code: EligibleCode; rules: RuleId[]; reason: string }
  | { eligible: false; code: SkipCode; rules: RuleId[]; reason: string; markLink: LinkState | null };

type Kind = EligibilityInput['kind'];

/** The rule ids of one concept, per kind of record (A-rules mirror C-rules for companies). */
const RULES = {
  linked: { person: 'C1', company: 'A6' },
  toggle: { person: 'C2', company: 'A1' },
  stages: { person: 'C3', company: 'A2' },
  deletion: { person: 'C10', company: 'A4' },
  merge: { person: 'C11', company: 'A5' },
} as const satisfies Record<string, Record<Kind, RuleId>>;

const NOUN: Record<Kind, string> = { person: 'person', company: 'company' };
const SF_NOUN: Record<Kind, string> = { person: 'Contact or Lead', company: 'Account' };

/**
 * The link crmsync may write through in the current org, or null. A link of another org
 * (after a switch from sandbox to production) is never used to write (spec: Link).
 */
export function linkInOrg(link: Link | null, orgId: string): Link | null {
  return link !== null && link.orgId === orgId ? link : null;
}

/** True for a link of another org, which is treated as no link. */
export function isOldOrgLink(link: Link | null, orgId: string): boolean {
  return link !== null && link.orgId !== orgId;
}

/**
 * C3, A2: a stage is selected when it equals a selected stage but for case, surrounding spaces
 * and Unicode form (the host may spell "Qualified" as "qualified "); no stage is never selected.
 */
export function stageSelected(stage: string | null, selected: readonly string[]): boolean {
  if (stage === null) return false;
  const key = (s: string) => s.normalize('NFC').trim().toLowerCase();
  const k = key(stage);
  return k !== '' && selected.some((s) => key(s) === k);
}

export type NetNewGate =
  | {
      pass: true;
      code: 'net_new' | 'in_selected_stage' | 'moved_into_selected_stage';
      rules: RuleId[];
      reason: string;
    }
  | {
      pass: false;
      code: 'push_contacts_off' | 'push_accounts_off' | 'stage_not_selected';
      rules: RuleId[];
      reason: string;
    };

/**
 * C2/C3 (people), A1/A2 (companies): may a net-new record be pushed on a change? `previousStage`
 * only shapes the sentence ("moved into", "moved out of"); `undefined` when there is no previous
 * version to compare with.
 */
export function netNewGate(
  kind: Kind,
  stage: string | null,
  previousStage: string | null | undefined,
  settings: Settings,
): NetNewGate {
  const s = kind === 'person' ? settings.contacts : settings.accounts;
  const on = kind === 'person' ? settings.contacts.pushContacts : settings.accounts.pushAccounts;
  const toggle = RULES.toggle[kind];
  const stages = RULES.stages[kind];
  const toggleName = kind === 'person' ? 'Push contacts' : 'Push accounts';
  if (!on) {
    return {
      pass: false,
      code: kind === 'person' ? 'push_contacts_off' : 'push_accounts_off',
      rules: [toggle],
      reason: `"${toggleName}" is off, so a ${NOUN[kind]} not yet in Salesforce is not pushed; turn it on, or push it by hand.`,
    };
  }
  if (s.pushMode === 'all') {
    return {
      pass: true,
      code: 'net_new',
      rules: [toggle, stages],
      reason: `"${toggleName}" is on for every stage.`,
    };
  }
  const list = s.stages.map((x) => `"${x}"`).join(', ');
  const now = stageSelected(stage, s.stages);
  const before = previousStage === undefined ? null : stageSelected(previousStage, s.stages);
  if (!now) {
    const where = stage === null ? 'has no stage' : `is at stage "${stage}"`;
    const moved = before === true ? ' (it moved out of the selected stages)' : '';
    return {
      pass: false,
      code: 'stage_not_selected',
      rules: [stages, toggle],
      reason: `The ${NOUN[kind]} ${where}${moved}; only ${NOUN[kind] === 'person' ? 'people' : 'companies'} at ${list} are pushed.`,
    };
  }
  if (before === false) {
    return {
      pass: true,
      code: 'moved_into_selected_stage',
      rules: [stages, toggle],
      reason: `The ${NOUN[kind]} moved into the selected stage "${stage}".`,
    };
  }
  return {
    pass: true,
    code: 'in_selected_stage',
    rules: [stages, toggle],
    reason: `The ${NOUN[kind]} is at the selected stage "${stage}".`,
  };
}

function sameDeep(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameDeep((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Could this change be pushed at all? C1/A6: a linked record always can, unless its link is
 * marked deleted in Salesforce (C10/A4: only a manual push revives it) or merged (C11/A5).
 * A local delete travels only with deletion sync on. Net-new records pass C2/C3 or A1/A2.
 * Not retroactive: only a change is checked, and a change that changes nothing is not one.
 */
export function checkEligibility(input: EligibilityInput): Eligibility {
  const { kind, settings, change } = input;
  const link = linkInOrg(input.link, input.orgId);
  const deletion = RULES.deletion[kind];

  if (change === 'deleted') {
    if (link === null || link.state === 'deleted_in_salesforce' || link.state === 'merged') {
      return {
        eligible: false,
        code: 'not_in_salesforce',
        rules: [deletion],
        reason: `The ${NOUN[kind]} was deleted in crmsync and has no live ${SF_NOUN[kind]} in this org, so there is nothing to delete in Salesforce.`,
        markLink: null,
      };
    }
    const on = kind === 'person' ? settings.contacts.deletionSync : settings.accounts.deletionSync;
    if (!on) {
      return {
        eligible: false,
        code: 'deletion_sync_off',
        rules: [deletion],
        reason: `${kind === 'person' ? 'Contacts' : 'Account'} deletion sync is off, so the ${link.sfObject} ${link.sfId} stays in Salesforce and its link is marked deleted locally.`,
        markLink: 'deleted_locally',
      };
    }
    return {
      eligible: true,
      effect: 'delete',
      code: 'delete_travels',
      rules: [deletion],
      reason: `${kind === 'person' ? 'Contacts' : 'Account'} deletion sync is on, so the ${link.sfObject} ${link.sfId} is deleted in Salesforce.`,
    };
  }

  if (change === 'updated' && input.previous !== null && sameDeep(input.record, input.previous)) {
    return {
      eligible: false,
      code: 'unchanged',
      rules: link === null ? [RULES.toggle[kind]] : [RULES.linked[kind]],
      reason: `The ${NOUN[kind]} was saved without a change, so there is nothing to push.`,
      markLink: null,
    };
  }

  if (link !== null) {
    switch (link.state) {
      case 'deleted_in_salesforce':
        return {
          eligible: false,
          code: 'link_deleted_in_salesforce',
          rules: [deletion],
          reason: `Its ${link.sfObject} ${link.sfId} was deleted in Salesforce, so changes are not pushed (that would re-create it); push it by hand to re-create it.`,
          markLink: null,
        };
      case 'merged':
        return {
          eligible: false,
          code: 'link_merged',
          rules: [RULES.merge[kind]],
          reason: `Its ${link.sfObject} ${link.sfId} was merged into ${link.mergedInto ?? 'another record'} in Salesforce, so changes are not pushed to it; push it by hand to link it again.`,
          markLink: null,
        };
      case 'active':
      case 'deleted_locally':
        return {
          eligible: true,
          effect: 'push',
          code: 'linked',
          rules: [RULES.linked[kind]],
          reason: `It is linked to ${link.sfObject} ${link.sfId}, and a change to a linked ${NOUN[kind]} is always pushed, whatever the push settings.`,
        };
    }
  }

  const previousStage = change === 'updated' && input.previous !== null ? input.previous.stage : undefined;
  const gate = netNewGate(kind, input.record.stage, previousStage, settings);
  return gate.pass
    ? { eligible: true, effect: 'push', code: gate.code, rules: gate.rules, reason: gate.reason }
    : { eligible: false, code: gate.code, rules: gate.rules, reason: gate.reason, markLink: null };
}
