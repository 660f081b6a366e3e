import {
  CrmsyncError,
  type CrmApiUsage,
  type CrmDoctorReport,
  type CrmIdentity,
  type CrmObjectDescribe,
  CRMSYNC_ID_FIELD,
} from '@crmsync/core';
import type { SalesforceHttp } from './http-types.js';
import { parseWire } from './parse-wire.js';
import { SalesforceRequestError } from './request-error.js';
import { soqlName } from './soql.js';
import { WireDescribe } from './wire.js';

/*
 * Describes, one API call per object per adapter, mapped to core's ObjectDescribe (what field
 * mapping reads) plus the permissions `crmsync doctor` reports.
 */

/** X4's external-id field: every record crmsync creates carries its local id in it. */
/** X4's field: the one name, from core. */
export const EXTERNAL_ID_FIELD = CRMSYNC_ID_FIELD;

export function toObjectDescribe(body: unknown): CrmObjectDescribe {
  const w = parseWire(WireDescribe, body, 'describe');
  return {
    name: w.name,
    label: w.label,
    createable: w.createable,
    updateable: w.updateable,
    deletable: w.deletable,
    queryable: w.queryable,
    fields: w.fields.map((f) => ({
      name: f.name,
      label: f.label,
      type: f.type,
      length: f.length,
      createable: f.createable,
      updateable: f.updateable,
      nillable: f.nillable,
      restrictedPicklist: f.restrictedPicklist,
      picklistValues: (f.picklistValues ?? []).filter((p) => p.active).map((p) => p.value),
      externalId: f.externalId,
      unique: f.unique,
      custom: f.custom,
      defaultedOnCreate: f.defaultedOnCreate,
      filterable: f.filterable,
      referenceTo: f.referenceTo ?? [],
    })),
  };
}

export function fieldOf(describe: CrmObjectDescribe, name: string) {
  const lower = name.toLowerCase();
  return describe.fields.find((f) => f.name.toLowerCase() === lower);
}

/** Why the X4 field cannot be used for upserts, or null when it can. */
export function externalIdProblem(describe: CrmObjectDescribe): string | null {
  const field = fieldOf(describe, EXTERNAL_ID_FIELD);
  if (field === undefined) return `${describe.name} has no ${EXTERNAL_ID_FIELD} field`;
  if (!field.externalId) return `${describe.name}.${field.name} is not marked External ID`;
  if (!field.unique) return `${describe.name}.${field.name} is not marked Unique`;
  return null;
}

export class DescribeCache {
  private readonly entries = new Map<string, Promise<CrmObjectDescribe>>();
  constructor(private readonly http: SalesforceHttp) {}

  describe(object: string): Promise<CrmObjectDescribe> {
    const key = soqlName(object).toLowerCase();
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = this.load(object);
      this.entries.set(key, entry);
      // A failed describe is not cached: the next call asks again.
      entry.catch(() => this.entries.delete(key));
    }
    return entry;
  }

  forget(): void {
    this.entries.clear();
  }

  private async load(object: string): Promise<CrmObjectDescribe> {
    try {
      const answer = await this.http.send({
        method: 'GET',
        path: `/sobjects/${object}/describe`,
        kind: 'read',
      });
      return toObjectDescribe(answer.body);
    } catch (err) {
      if (err instanceof SalesforceRequestError && err.classification.sfCode === 'NOT_FOUND') {
        throw new CrmsyncError('SALESFORCE_INVALID_FIELD', {
          sfObject: object,
          sfCode: 'NOT_FOUND',
          sfMessage: `The org has no object ${object}, or the integration user cannot see it`,
        });
      }
      throw err;
    }
  }
}

export const DOCTOR_OBJECTS = ['Contact', 'Lead', 'Account', 'Opportunity', 'Task'] as const;
const EXTERNAL_ID_OBJECTS = ['Contact', 'Lead', 'Account'] as const;
const SOURCE_PICKLISTS = [
  { object: 'Contact', field: 'LeadSource' },
  { object: 'Lead', field: 'LeadSource' },
  { object: 'Account', field: 'AccountSource' },
] as const;

export const HOW_TO_CREATE_EXTERNAL_ID =
  `In Salesforce Setup, Object Manager -> (Contact, Lead and Account in turn) -> Fields & Relationships -> New: ` +
  `type Text, length 255, label "Crmsync Id", API name ${EXTERNAL_ID_FIELD}, and tick both "Unique" and "External ID". ` +
  `Give the integration user read and edit access to it. Without it crmsync still avoids duplicates by reconciling after failures (X4), at the cost of extra queries.`;

export async function doctorReport(
  cache: DescribeCache,
  identity: CrmIdentity,
  apiUsage: CrmApiUsage | null,
): Promise<CrmDoctorReport> {
  const describes = new Map<string, CrmObjectDescribe | null>();
  for (const object of DOCTOR_OBJECTS) {
    try {
      describes.set(object, await cache.describe(object));
    } catch (err) {
      if (err instanceof CrmsyncError && err.code === 'SALESFORCE_INVALID_FIELD') describes.set(object, null);
      else throw err;
    }
  }
  return {
    identity,
    objects: DOCTOR_OBJECTS.map((object) => {
      const d = describes.get(object) ?? null;
      return {
        object,
        exists: d !== null,
        createable: d?.createable ?? false,
        updateable: d?.updateable ?? false,
        deletable: d?.deletable ?? false,
        queryable: d?.queryable ?? false,
      };
    }),
    externalId: {
      field: EXTERNAL_ID_FIELD,
      objects: EXTERNAL_ID_OBJECTS.map((object) => {
        const d = describes.get(object) ?? null;
        const problem =
          d === null ? `${object} is not available to the integration user` : externalIdProblem(d);
        return {
          object,
          present: d !== null && fieldOf(d, EXTERNAL_ID_FIELD) !== undefined,
          usable: problem === null,
          problem,
        };
      }),
      howToCreate: HOW_TO_CREATE_EXTERNAL_ID,
    },
    sourcePicklists: SOURCE_PICKLISTS.map(({ object, field }) => {
      const d = describes.get(object) ?? null;
      const f = d === null ? undefined : fieldOf(d, field);
      return {
        object,
        field,
        exists: f !== undefined,
        restricted: f?.restrictedPicklist ?? false,
        values: f?.picklistValues ?? [],
      };
    }),
    apiUsage,
  };
}
