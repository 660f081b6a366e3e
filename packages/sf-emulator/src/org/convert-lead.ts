// Lead conversion (reference §4): the lead becomes read-only with IsConverted and the
// Converted* ids; a Contact and Account are created unless given; an Opportunity on request;
// the lead's activities move to the contact. One transaction, written as `ctx.userId`.
import type { SaveResult, WriteContext } from '../contracts.js';
import { normalizeId } from '../ids.js';
import { CONVERTED_LEAD_STATUS } from '../schema/standard-objects.js';
import type { OrgStore } from './org-store.js';
import { formatDate } from './sf-format.js';

export interface ConvertLeadRequest {
  leadId: string;
  accountId?: string | undefined;
  contactId?: string | undefined;
  createOpportunity?: boolean | undefined;
  opportunityName?: string | undefined;
}

export type ConvertOutcome =
  | { success: true; leadId: string; accountId: string; contactId: string; opportunityId: string | null }
  | { success: false; errorCode: string; message: string };

class ConvertFailure extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

function created(result: SaveResult, what: string): string {
  if (!result.success) {
    const e = result.errors[0];
    throw new ConvertFailure(
      e?.statusCode ?? 'UNKNOWN_EXCEPTION',
      `creating the ${what} failed: ${e?.message ?? 'unknown error'}`,
    );
  }
  return result.id;
}

function existing(store: OrgStore, raw: string, prefix: string, what: string): string {
  const id = normalizeId(raw);
  const record = id === undefined ? undefined : store.getById(id);
  if (id === undefined || record === undefined || record['IsDeleted'] === true || !id.startsWith(prefix)) {
    throw new ConvertFailure('INVALID_CROSS_REFERENCE_KEY', `${what} ${raw} is not a live ${what}`);
  }
  return id;
}

export function convertLead(store: OrgStore, request: ConvertLeadRequest, ctx: WriteContext): ConvertOutcome {
  try {
    return store.transaction(() => {
      const leadId = existing(store, request.leadId, '00Q', 'Lead');
      const lead = store.getById(leadId)!;
      if (lead['IsConverted'] === true)
        throw new ConvertFailure('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
      const accountId =
        request.accountId !== undefined
          ? existing(store, request.accountId, '001', 'Account')
          : created(
              store.create(
                'Account',
                { Name: lead['Company'], Website: lead['Website'], AccountSource: lead['LeadSource'] },
                ctx,
              ),
              'Account',
            );
      const contactId =
        request.contactId !== undefined
          ? existing(store, request.contactId, '003', 'Contact')
          : created(
              store.create(
                'Contact',
                {
                  FirstName: lead['FirstName'],
                  LastName: lead['LastName'],
                  Email: lead['Email'],
                  Phone: lead['Phone'],
                  Title: lead['Title'],
                  LeadSource: lead['LeadSource'],
                  AccountId: accountId,
                  OwnerId: lead['OwnerId'],
                },
                ctx,
              ),
              'Contact',
            );
      const today = formatDate(store.now());
      const opportunityId =
        request.createOpportunity === true
          ? created(
              store.create(
                'Opportunity',
                {
                  Name: request.opportunityName ?? `${String(lead['Company'])}-`,
                  StageName: 'Prospecting',
                  CloseDate: today,
                  AccountId: accountId,
                  LeadSource: lead['LeadSource'],
                },
                ctx,
              ),
              'Opportunity',
            )
          : null;
      for (const child of store.referencesTo(leadId)) {
        if (child.field === 'WhoId')
          store.systemUpdate(
            child.record.Id,
            { WhoId: contactId, WhatId: opportunityId ?? accountId },
            ctx,
            'update',
          );
      }
      store.systemUpdate(
        leadId,
        {
          IsConverted: true,
          ConvertedAccountId: accountId,
          ConvertedContactId: contactId,
          ConvertedOpportunityId: opportunityId,
          ConvertedDate: today,
          Status: CONVERTED_LEAD_STATUS,
        },
        ctx,
        'convert',
      );
      return { commit: true, value: { success: true as const, leadId, accountId, contactId, opportunityId } };
    });
  } catch (err) {
    if (err instanceof ConvertFailure)
      return { success: false, errorCode: err.errorCode, message: err.message };
    throw err;
  }
}
