// Behaviour of standard objects that field metadata cannot express: derived fields (Name,
// Opportunity stage facts, activity AccountId, Event times) and cross-record rules (a Lead "who"
// cannot have a "what"; converted leads are read-only and cannot be referenced).
import type { RecordError, SObjectRecord } from '../contracts.js';
import { OPPORTUNITY_STAGES } from '../schema/standard-objects.js';
import { keyPrefixOf } from '../ids.js';
import { recordError, recordErrors } from './record-errors.js';
import { formatDateTime, parseDateTime } from './sf-format.js';
import { deriveContentFields } from '../content-objects.js';

/** What the rules may read from the org. */
export interface RuleContext {
  getById(id: string): SObjectRecord | undefined;
}

const LEAD_PREFIX = '00Q';
const CONTACT_PREFIX = '003';
const ACCOUNT_PREFIX = '001';

function fullName(record: SObjectRecord): string {
  return [record['FirstName'], record['LastName']].filter((p) => typeof p === 'string' && p !== '').join(' ');
}

function deriveEventTimes(record: SObjectRecord, changed: Set<string>): RecordError | undefined {
  if (record['StartDateTime'] === null && record['ActivityDateTime'] !== null)
    record['StartDateTime'] = record['ActivityDateTime'];
  const start =
    typeof record['StartDateTime'] === 'string' ? parseDateTime(record['StartDateTime']) : undefined;
  if (start === undefined) return recordErrors.requiredMissing(['StartDateTime']);
  record['ActivityDateTime'] = record['StartDateTime'];
  record['ActivityDate'] = String(record['StartDateTime']).slice(0, 10);
  const end = typeof record['EndDateTime'] === 'string' ? parseDateTime(record['EndDateTime']) : undefined;
  const duration = typeof record['DurationInMinutes'] === 'number' ? record['DurationInMinutes'] : undefined;
  const endGiven = changed.has('EndDateTime') || (end !== undefined && !changed.has('DurationInMinutes'));
  if (end !== undefined && endGiven) {
    if (end < start)
      return recordError('FIELD_INTEGRITY_EXCEPTION', 'End Date Time: End time cannot be before start time', [
        'EndDateTime',
      ]);
    record['DurationInMinutes'] = Math.round((end.getTime() - start.getTime()) / 60000);
  } else if (duration !== undefined) {
    record['EndDateTime'] = formatDateTime(new Date(start.getTime() + duration * 60000));
  } else if (record['IsAllDayEvent'] === true) {
    record['DurationInMinutes'] = 1440;
    record['EndDateTime'] = formatDateTime(new Date(start.getTime() + 1440 * 60000));
  } else {
    return recordErrors.requiredMissing(['DurationInMinutes']);
  }
  return undefined;
}

/** Fills derived fields in place. `changed` holds the canonical names the caller set. */
export function deriveFields(
  objectName: string,
  record: SObjectRecord,
  changed: Set<string>,
  ctx: RuleContext,
): RecordError | undefined {
  switch (objectName) {
    case 'Contact':
    case 'Lead':
    case 'User':
      record['Name'] = fullName(record);
      return undefined;
    case 'Opportunity': {
      const stage = OPPORTUNITY_STAGES.find((s) => s.stage === record['StageName']);
      if (stage !== undefined) {
        if (changed.has('StageName') && !changed.has('Probability'))
          record['Probability'] = stage.probability;
        if (record['Probability'] === null) record['Probability'] = stage.probability;
        record['IsClosed'] = stage.closed;
        record['IsWon'] = stage.won;
        if (changed.has('StageName') && !changed.has('ForecastCategoryName'))
          record['ForecastCategoryName'] = stage.forecast;
      }
      return undefined;
    }
    case 'Task':
    case 'Event': {
      record['AccountId'] = activityAccount(record, ctx);
      if (objectName === 'Task') record['IsClosed'] = record['Status'] === 'Completed';
      return objectName === 'Event' ? deriveEventTimes(record, changed) : undefined;
    }
    default:
      // ContentNote (FileType, preview, size) and TaskRelation (IsWhat).
      return deriveContentFields(objectName, record, changed);
  }
}

function activityAccount(record: SObjectRecord, ctx: RuleContext): string | null {
  const what = record['WhatId'];
  if (typeof what === 'string') {
    if (keyPrefixOf(what) === ACCOUNT_PREFIX) return what;
    const parent = ctx.getById(what);
    if (parent !== undefined && typeof parent['AccountId'] === 'string') return parent['AccountId'];
  }
  const who = record['WhoId'];
  if (typeof who === 'string' && keyPrefixOf(who) === CONTACT_PREFIX) {
    const contact = ctx.getById(who);
    if (contact !== undefined && typeof contact['AccountId'] === 'string') return contact['AccountId'];
  }
  return null;
}

/** Cross-record rules, checked after field validation. */
export function checkObjectRules(
  objectName: string,
  record: SObjectRecord,
  changed: Set<string>,
  ctx: RuleContext,
): RecordError | undefined {
  if (objectName === 'Task' || objectName === 'Event') {
    const who = record['WhoId'];
    if (typeof who === 'string' && keyPrefixOf(who) === LEAD_PREFIX) {
      if (typeof record['WhatId'] === 'string') {
        // Salesforce forbids a "what" once the "who" is a lead and words it as a type error.
        return recordError(
          'FIELD_INTEGRITY_EXCEPTION',
          `Related To ID: id value of incorrect type: ${record['WhatId']}`,
          ['WhatId'],
        );
      }
      if (changed.has('WhoId') && ctx.getById(who)?.['IsConverted'] === true)
        return recordErrors.convertedLead();
    }
  }
  for (const name of changed) {
    const value = record[name];
    if (name === 'Id' || typeof value !== 'string' || keyPrefixOf(value) !== LEAD_PREFIX) continue;
    if (ctx.getById(value)?.['IsConverted'] === true) return recordErrors.convertedLead();
  }
  return undefined;
}
