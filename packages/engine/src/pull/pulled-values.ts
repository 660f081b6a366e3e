import { Company, Person, type Phone, type Settings } from '@crmsync/core';
import type { PulledObject } from '@crmsync/core';

/*
 * P3: the local fields `resolvePull` read backwards through the field mappings, written onto a
 * local document. A mapped path is not always a document key: `phone` and `mobilePhone` are
 * entries of `phones`. The host's `externalId` is never taken from Salesforce (it is the host's
 * own id and unique per workspace).
 */

type Values = Record<string, unknown>;

const str = (v: unknown): string | null =>
  typeof v === 'string' && v.trim() !== '' ? v : v === null || v === undefined ? null : String(v);

function withPhone(phones: readonly Phone[], type: Phone['type'], value: unknown): Phone[] {
  const number = str(value);
  const others = phones.filter((p) => p.type !== type);
  return number === null ? others : [...others, { type, number }];
}

function applyPersonFields(doc: Values, fields: Values): Values {
  const out: Values = { ...doc };
  for (const [key, value] of Object.entries(fields)) {
    switch (key) {
      case 'firstName':
      case 'title':
      case 'email':
      case 'stage':
        out[key] = str(value);
        break;
      case 'lastName':
        if (str(value) !== null) out[key] = str(value);
        break;
      case 'phone':
        out.phones = withPhone((out.phones as Phone[] | undefined) ?? [], 'work', value);
        break;
      case 'mobilePhone':
        out.phones = withPhone((out.phones as Phone[] | undefined) ?? [], 'mobile', value);
        break;
      default:
        break;
    }
  }
  return out;
}

function applyCompanyFields(doc: Values, fields: Values): Values {
  const out: Values = { ...doc };
  for (const [key, value] of Object.entries(fields)) {
    switch (key) {
      case 'website':
      case 'industry':
      case 'stage':
        out[key] = str(value);
        break;
      case 'name':
        if (str(value) !== null) out[key] = str(value);
        break;
      case 'size': {
        const n = typeof value === 'number' ? value : value === null ? null : Number(value);
        out.size = n === null || !Number.isInteger(n) || n < 0 ? null : n;
        break;
      }
      default:
        break;
    }
  }
  return out;
}

export type PulledDocument = { ok: true; data: Person | Company } | { ok: false; problem: string };

/** The document after applying pulled fields, parsed by the core schema (a bad row is reported, never thrown). */
export function pulledDocument(
  localType: 'person' | 'company',
  base: Values,
  fields: Values,
): PulledDocument {
  const values = localType === 'person' ? applyPersonFields(base, fields) : applyCompanyFields(base, fields);
  const parsed = localType === 'person' ? Person.safeParse(values) : Company.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    problem: issue === undefined ? 'invalid values' : `${issue.path.join('.') || 'record'} ${issue.message}`,
  };
}

/** The Salesforce values the pulled local fields came from, for the link's snapshot (X5 compares against it). */
export function snapshotOf(
  object: PulledObject,
  fields: Values,
  settings: Settings,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of settings.fieldMappings[object]) {
    if (m.local.includes('.')) continue;
    if (Object.hasOwn(fields, m.local)) out[m.salesforce] = fields[m.local] ?? null;
  }
  return out;
}

/** Fields `changedSince` reads for an object: the mapped ones plus what resolvePull needs. */
export function pulledFieldNames(object: PulledObject, settings: Settings): string[] {
  const mapped = settings.fieldMappings[object]
    .filter((m) => !m.local.includes('.'))
    .map((m) => m.salesforce);
  const extra =
    object === 'Contact'
      ? ['AccountId', 'Email']
      : object === 'Lead'
        ? ['Email', 'IsConverted', 'ConvertedContactId', 'ConvertedAccountId']
        : [];
  return [...new Set([...mapped, ...extra])];
}
