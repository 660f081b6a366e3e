import type { LinkState } from '../model/link.js';

/**
 * The shared shape of a rule decision for people and companies. Every decision names the spec
 * rules that applied (so `grep -r C7` finds the code, the tests and the log entries), carries a
 * sentence an admin can read in the log, and lists the notes worth keeping beside it.
 */

/** A spec rule id such as `C3`, `X7` or `M1`. */
export type RuleId = `${'L' | 'C' | 'A' | 'D' | 'E' | 'M' | 'X' | 'P' | 'O'}${number}`;

/** The Salesforce objects a person or a company is pushed to. */
export type PushObject = 'Contact' | 'Lead' | 'Account';

/** Why a push (or a delete) is not sent; stable, so a dry run can count skips by reason (O2). */
export type SkipCode =
  | 'push_contacts_off' // C2
  | 'push_accounts_off' // A1
  | 'stage_not_selected' // C3, A2
  | 'link_deleted_in_salesforce' // C10, A4
  | 'link_merged' // C11, A5
  | 'deletion_sync_off' // C10, A4
  | 'account_has_children' // A4
  | 'account_children_unknown' // A4
  | 'not_in_salesforce' // a local delete of a record that was never linked
  | 'unchanged' // an update that changes nothing
  | 'field_rejected' // X6 (restricted picklist, too long with `reject`)
  | 'describe_missing'
  | 'unsupported_link';

/** What a note is about; stable, so the UI and the dry run can count ambiguities (O2). */
export type NoteCode =
  | 'ambiguous_match' // X1, X2 + X3: several candidates, `ids` lists every one, the chosen first
  | 'matched_existing' // X1, X2: one candidate
  | 'converted_lead_followed' // X1: a converted Lead led to its Contact
  | 'email_withheld' // C6
  | 'account_linked' // C7
  | 'account_matched' // C7 + X2
  | 'account_created' // C7 overriding A1-A3
  | 'no_account' // C7: the person has no company, or its company cannot be written
  | 'lead_company_placeholder' // C8
  | 'source_written' // C5, A3
  | 'source_not_written' // C5, A3: the org has no such field, or refuses the value
  | 'owner_matched' // X7
  | 'owner_fallback' // X7
  | 'old_org_link_ignored'
  | 'manual_override' // M1
  | 'push_all_override' // C9
  | 'link_was_deleted_locally'
  | 'field_note'; // a note from the field mapping (X5, X6)

export interface DecisionNote {
  rule: RuleId;
  code: NoteCode;
  message: string;
  /** Salesforce ids the note is about (every candidate of an ambiguity, the chosen one first). */
  ids: readonly string[];
}

/** Fields to write, by Salesforce field API name. */
export type SalesforceFields = Record<string, unknown>;

interface Explained {
  /** Every rule that shaped the decision, most decisive first. */
  rules: readonly RuleId[];
  /** One sentence an admin can read: what crmsync does and why. */
  reason: string;
  notes: readonly DecisionNote[];
}

/**
 * How a person pushed as a Contact gets its Account (C7). `create` carries the whole Account
 * create: the engine sends it first and puts the new id in the Contact's `AccountId`.
 * `link` tells the engine to link the person's local company to an existing Account (matched by
 * X2) as well as writing `AccountId`.
 */
export type AccountSettlement =
  | { via: 'linked'; accountId: string }
  | { via: 'matched'; accountId: string; companyId: string; candidateIds: readonly string[] }
  | { via: 'create'; companyId: string; fields: SalesforceFields }
  | { via: 'none' }
  /** The Contact already points at the right Account; nothing to write. */
  | { via: 'unchanged'; accountId: string };

export type PushDecision =
  | (Explained & {
      action: 'create';
      object: PushObject;
      fields: SalesforceFields;
      /** Contacts only (C7); null for Leads and Accounts. */
      account: AccountSettlement | null;
    })
  | (Explained & {
      action: 'update';
      object: PushObject;
      sfId: string;
      /** May be empty when nothing changed since crmsync's last write (X5). */
      fields: SalesforceFields;
      account: AccountSettlement | null;
    })
  | (Explained & {
      /** X1, X2: an existing record matched; link the local record to it, then update it with `fields`. */
      action: 'link_existing';
      object: PushObject;
      sfId: string;
      /** Every matching candidate, the chosen one first (X3). */
      candidateIds: readonly string[];
      fields: SalesforceFields;
      account: AccountSettlement | null;
    })
  | (Explained & {
      action: 'delete';
      object: PushObject;
      sfId: string;
    })
  | (Explained & {
      action: 'skip';
      code: SkipCode;
      /** The state the engine should give the link, when the skip changes it (C10: `deleted_locally`). */
      markLink: LinkState | null;
    });

export type PushAction = PushDecision['action'];

export function decisionNote(
  rule: RuleId,
  code: NoteCode,
  message: string,
  ids: readonly string[] = [],
): DecisionNote {
  return { rule, code, message, ids };
}

/** Rule ids in first-seen order without repeats. */
export function uniqueRules(rules: readonly RuleId[]): RuleId[] {
  return [...new Set(rules)];
}
