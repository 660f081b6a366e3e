// The data operations of the partner SOAP API the emulator serves: `merge` and `convertLead`.
// They run the same org logic as the control API (org/merge-records.ts, org/convert-lead.ts), so
// the effects are identical whichever door a test uses. Each request is its own transaction.
import type { SaveResult, WriteContext } from '../contracts.js';
import { convertLead } from '../org/convert-lead.js';
import { mergeRecords } from '../org/merge-records.js';
import type { OrgStore } from '../org/org-store.js';
import { CONVERTED_LEAD_STATUS } from '../schema/standard-objects.js';
import { soapError } from './soap-envelope.js';
import { child, children, childText, type XmlElement } from './xml.js';

/** One call carries up to 200 merge or convert requests. */
export const MAX_SOAP_REQUESTS = 200;

type Result = Record<string, unknown>;

const failed = (statusCode: string, message: string, fields: string[] = []): Result => ({
  errors: [soapError(statusCode, message, fields)],
  success: false,
});

/** Fields sent on the master record (besides type and Id) overwrite the master before the merge. */
function masterOverrides(master: XmlElement): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const c of master.children) {
    if (c.local === 'type' || c.local === 'Id' || c.local === 'fieldsToNull') continue;
    fields[c.local] = c.attrs['xsi:nil'] === 'true' ? null : c.text;
  }
  for (const n of children(master, 'fieldsToNull')) fields[n.text] = null;
  return fields;
}

function firstError(result: SaveResult): Result {
  const e = result.success ? undefined : result.errors[0];
  return failed(
    e?.statusCode ?? 'UNKNOWN_EXCEPTION',
    e?.message ?? 'the master record could not be updated',
    e?.fields ?? [],
  );
}

export function runMerge(store: OrgStore, request: XmlElement, ctx: WriteContext): Result {
  const master = child(request, 'masterRecord');
  const type = childText(master, 'type');
  const masterId = childText(master, 'Id');
  if (master === undefined || type === undefined || masterId === undefined)
    return failed('MISSING_ARGUMENT', 'masterRecord with type and Id is required');
  const mergeIds = children(request, 'recordToMergeIds').map((e) => e.text.trim());
  const overrides = masterOverrides(master);
  return store.transaction<Result>(() => {
    if (Object.keys(overrides).length > 0) {
      const updated = store.update(type, masterId, overrides, ctx);
      if (!updated.success) return { commit: false, value: { ...firstError(updated), id: null } };
    }
    const outcome = mergeRecords(store, { object: type, masterId, mergeIds }, ctx);
    if (!outcome.success)
      return { commit: false, value: { ...failed(outcome.errorCode, outcome.message), id: null } };
    return {
      commit: true,
      value: {
        id: outcome.id,
        mergedRecordIds: outcome.mergedRecordIds,
        success: true,
        updatedRelatedIds: outcome.updatedRelatedIds,
      },
    };
  });
}

export function runConvertLead(store: OrgStore, request: XmlElement, ctx: WriteContext): Result {
  const leadId = childText(request, 'leadId');
  if (leadId === undefined || leadId === '')
    return failed('REQUIRED_FIELD_MISSING', 'Required fields are missing: [leadId]', ['leadId']);
  const status = childText(request, 'convertedStatus');
  if (status === undefined || status === '')
    return {
      ...failed('REQUIRED_FIELD_MISSING', 'Required fields are missing: [convertedStatus]', [
        'convertedStatus',
      ]),
      leadId,
    };
  if (status !== CONVERTED_LEAD_STATUS)
    return { ...failed('INVALID_STATUS', `invalid convertedStatus: ${status}`), leadId };
  const accountId = childText(request, 'accountId');
  const contactId = childText(request, 'contactId');
  const opportunityName = childText(request, 'opportunityName');
  const outcome = convertLead(
    store,
    {
      leadId,
      accountId: accountId === '' ? undefined : accountId,
      contactId: contactId === '' ? undefined : contactId,
      createOpportunity: childText(request, 'doNotCreateOpportunity') !== 'true',
      opportunityName: opportunityName === '' ? undefined : opportunityName,
    },
    ctx,
  );
  if (!outcome.success)
    return {
      accountId: null,
      contactId: null,
      ...failed(outcome.errorCode, outcome.message),
      leadId,
      opportunityId: null,
    };
  return {
    accountId: outcome.accountId,
    contactId: outcome.contactId,
    leadId: outcome.leadId,
    opportunityId: outcome.opportunityId,
    success: true,
  };
}
