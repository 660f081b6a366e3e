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
import { subrequestError } from './read-many.js';
import { WireCompositeResponse, WireDescribe } from './wire.js';

/*
 * Describes, asked once per object per adapter, mapped to core's ObjectDescribe (what field
 * mapping reads) plus the permissions `crmsync doctor` reports. Describes asked in the same tick
 * (a run loading Contact, Lead and Account at once) share one `/composite` call.
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

/** Salesforce's cap on subrequests in one composite. */
const MAX_SUBREQUESTS = 25;

interface Waiting {
  object: string;
  resolve: (d: CrmObjectDescribe) => void;
  reject: (err: unknown) => void;
}

export class DescribeCache {
  private readonly entries = new Map<string, Promise<CrmObjectDescribe>>();
  private waiting: Waiting[] = [];
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

  /** Queues the describe; the first of a tick schedules the call that answers them all. */
  private load(object: string): Promise<CrmObjectDescribe> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ object, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    for (let i = 0; i < batch.length; i += MAX_SUBREQUESTS) {
      const group = batch.slice(i, i + MAX_SUBREQUESTS);
      if (group.length === 1) {
        const [one] = group as [Waiting];
        await this.one(one.object).then(one.resolve, one.reject);
        continue;
      }
      try {
        const answer = await this.http.send({
          method: 'POST',
          path: '/composite',
          json: {
            allOrNone: false,
            compositeRequest: group.map((w, n) => ({
              method: 'GET',
              url: `/services/data/v${this.http.version}/sobjects/${w.object}/describe`,
              referenceId: `d${n}`,
            })),
          },
          kind: 'read',
        });
        const parsed = parseWire(WireCompositeResponse, answer.body, 'composite describe');
        group.forEach((w, n) => {
          const sub = parsed.compositeResponse.find((r) => r.referenceId === `d${n}`);
          if (sub === undefined)
            w.reject(
              new SalesforceRequestError(
                {
                  kind: 'salesforce',
                  errorCode: 'UNEXPECTED_ANSWER',
                  message: `composite answer lacks d${n}`,
                },
                'read',
              ),
            );
          else if (sub.httpStatusCode >= 400)
            w.reject(notFound(w.object, subrequestError(sub.httpStatusCode, sub.body)));
          else {
            try {
              w.resolve(toObjectDescribe(sub.body));
            } catch (err) {
              w.reject(err);
            }
          }
        });
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
  }

  private async one(object: string): Promise<CrmObjectDescribe> {
    try {
      const answer = await this.http.send({
        method: 'GET',
        path: `/sobjects/${object}/describe`,
        kind: 'read',
      });
      return toObjectDescribe(answer.body);
    } catch (err) {
      throw notFound(object, err);
    }
  }
}

/** A describe of an object the org lacks (or hides) names the object; other errors pass unchanged. */
function notFound(object: string, err: unknown): unknown {
  if (err instanceof SalesforceRequestError && err.classification.sfCode === 'NOT_FOUND') {
    return new CrmsyncError('SALESFORCE_INVALID_FIELD', {
      sfObject: object,
      sfCode: 'NOT_FOUND',
      sfMessage: `The org has no object ${object}, or the integration user cannot see it`,
    });
  }
  return err;
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
