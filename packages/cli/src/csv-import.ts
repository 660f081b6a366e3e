import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { StoredRecord, WorkspaceReader } from '@crmsync/core';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

/** A row-level note the CLI prints next to the row number; the row may still be imported. */
export interface RowNote {
  row: number;
  level: 'error' | 'warning';
  message: string;
}

export interface ImportPlan {
  /** Changes in order: companies a person refers to come before the person. */
  changes: Array<{ type: 'person' | 'company'; op: 'upsert'; data: Record<string, unknown>; row: number }>;
  notes: RowNote[];
  rows: number;
}

type Kind = 'people' | 'companies';

/** Accepted headers, compared without case, spaces, dashes or underscores. */
const COLUMNS: Record<Kind, Record<string, readonly string[]>> = {
  people: {
    id: ['id', 'localid'],
    externalId: ['externalid', 'hostid', 'sourceid'],
    firstName: ['firstname', 'first', 'givenname'],
    lastName: ['lastname', 'last', 'surname', 'familyname'],
    title: ['title', 'jobtitle'],
    email: ['email', 'emailaddress'],
    emailStatus: ['emailstatus'],
    phone: ['phone', 'workphone'],
    mobile: ['mobile', 'mobilephone'],
    company: ['company', 'companyname', 'account', 'accountname'],
    website: ['website', 'companywebsite', 'domain'],
    stage: ['stage', 'contactstage'],
    owner: ['owner', 'owneremail'],
  },
  companies: {
    id: ['id', 'localid'],
    externalId: ['externalid', 'hostid', 'sourceid'],
    name: ['name', 'companyname', 'company', 'accountname'],
    website: ['website', 'domain', 'url'],
    industry: ['industry'],
    size: ['size', 'employees', 'numberofemployees'],
    stage: ['stage', 'accountstage'],
    owner: ['owner', 'owneremail'],
  },
};
const REQUIRED: Record<Kind, readonly string[]> = { people: ['lastName'], companies: ['name'] };

const norm = (h: string) => h.toLowerCase().replace(/[\s_\-.]/g, '');

function stableId(prefix: string, workspaceId: string, key: string): string {
  return `${prefix}_${createHash('sha256').update(`${workspaceId}\u0000${key}`).digest('hex').slice(0, 24)}`;
}

/** Parses a CSV file's text; refuses the whole file (nothing imported) when it cannot be read or lacks required columns. */
export function readCsv(
  kind: Kind,
  buffer: Buffer,
  fileName: string,
): { header: Map<string, number>; rows: string[][] } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    throw new CliError(
      EXIT.usage,
      `${fileName} is not UTF-8 text (it contains bytes that are not valid UTF-8). Save it as "CSV UTF-8" and import it again; nothing was imported.`,
    );
  }
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as string[][];
  } catch (err) {
    throw new CliError(
      EXIT.usage,
      `${fileName} is not a readable CSV file: ${(err as Error).message}. Nothing was imported.`,
    );
  }
  const [headerRow, ...rows] = records;
  if (headerRow === undefined)
    throw new CliError(
      EXIT.usage,
      `${fileName} is empty; the first line must name the columns. Nothing was imported.`,
    );
  const header = new Map<string, number>();
  const known = COLUMNS[kind];
  headerRow.forEach((h, i) => {
    for (const [field, aliases] of Object.entries(known))
      if (aliases.includes(norm(h)) && !header.has(field)) header.set(field, i);
  });
  const missing = REQUIRED[kind].filter((f) => !header.has(f));
  if (missing.length > 0) {
    throw new CliError(
      EXIT.usage,
      `${fileName} has no ${missing.join(', ')} column, which ${kind} need. Found columns: ${headerRow.join(', ') || 'none'}. Accepted columns: ${Object.keys(known).join(', ')}. Nothing was imported.`,
    );
  }
  return { header, rows };
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Turns CSV rows into ingest changes. Ids are stable: an existing record with the same id,
 * externalId or (people) email is updated, never duplicated, so importing the same file twice
 * changes nothing; rows without any key get an id derived from their content.
 */
export async function planImport(
  kind: Kind,
  workspaceId: string,
  reader: WorkspaceReader,
  csv: { header: Map<string, number>; rows: string[][] },
): Promise<ImportPlan> {
  const { header, rows } = csv;
  const notes: RowNote[] = [];
  const changes: ImportPlan['changes'] = [];
  const companyIds = new Map<string, string>();
  const seen = new Map<string, number>();
  const cell = (r: string[], f: string) => {
    const i = header.get(f);
    const v = i === undefined ? '' : (r[i] ?? '');
    return v === '' ? null : v;
  };

  async function companyFor(name: string, website: string | null, row: number): Promise<string> {
    const key = name.trim().toLowerCase();
    const known = companyIds.get(key);
    if (known !== undefined) return known;
    const existing: StoredRecord<'company'>[] = await reader.records.findCompaniesByName(name);
    const id = existing[0]?.id ?? stableId('c', workspaceId, `name:${key}`);
    if (existing[0] === undefined) {
      changes.push({ type: 'company', op: 'upsert', row, data: { id, workspaceId, name, website } });
    }
    companyIds.set(key, id);
    return id;
  }

  for (const [index, r] of rows.entries()) {
    const row = index + 2; // 1-based, after the header line
    if (kind === 'people') {
      const lastName = cell(r, 'lastName');
      if (lastName === null) {
        notes.push({
          row,
          level: 'error',
          message: 'lastName is empty; a person needs a last name. The row was skipped.',
        });
        continue;
      }
      const email = cell(r, 'email');
      const externalId = cell(r, 'externalId');
      const key =
        cell(r, 'id') ??
        (externalId !== null
          ? `ext:${externalId}`
          : email !== null
            ? `email:${email.toLowerCase()}`
            : `row:${r.join('\u0001')}`);
      const dup = seen.get(key);
      if (dup !== undefined)
        notes.push({
          row,
          level: 'warning',
          message: `repeats row ${dup} (same ${key.split(':')[0]}); the later row wins.`,
        });
      seen.set(key, row);
      let id = cell(r, 'id');
      if (id === null && externalId !== null)
        id = (await reader.records.findByExternalId('person', externalId))?.id ?? null;
      if (id === null && email !== null) id = (await reader.records.findPeopleByEmail(email))[0]?.id ?? null;
      id ??= stableId('p', workspaceId, key);
      if (email !== null && !EMAIL.test(email)) {
        notes.push({
          row,
          level: 'warning',
          message: `email "${email.slice(0, 80)}" is not a valid address; the person is imported, and the email will not be sent to Salesforce (X6).`,
        });
      }
      const companyName = cell(r, 'company');
      const phones = [
        ...(cell(r, 'phone') === null ? [] : [{ type: 'work', number: cell(r, 'phone') }]),
        ...(cell(r, 'mobile') === null ? [] : [{ type: 'mobile', number: cell(r, 'mobile') }]),
      ];
      changes.push({
        type: 'person',
        op: 'upsert',
        row,
        data: {
          id,
          workspaceId,
          externalId,
          firstName: cell(r, 'firstName'),
          lastName,
          title: cell(r, 'title'),
          email,
          emailStatus: cell(r, 'emailStatus') ?? (email === null ? 'unavailable' : 'verified'),
          phones,
          companyId: companyName === null ? null : await companyFor(companyName, cell(r, 'website'), row),
          stage: cell(r, 'stage'),
        },
      });
    } else {
      const name = cell(r, 'name');
      if (name === null) {
        notes.push({
          row,
          level: 'error',
          message: 'name is empty; a company needs a name. The row was skipped.',
        });
        continue;
      }
      const externalId = cell(r, 'externalId');
      let id = cell(r, 'id');
      if (id === null && externalId !== null)
        id = (await reader.records.findByExternalId('company', externalId))?.id ?? null;
      if (id === null) id = (await reader.records.findCompaniesByName(name))[0]?.id ?? null;
      id ??= stableId(
        'c',
        workspaceId,
        externalId !== null ? `ext:${externalId}` : `name:${name.trim().toLowerCase()}`,
      );
      const sizeText = cell(r, 'size');
      const size = sizeText === null ? null : Number(sizeText.replace(/[, ]/g, ''));
      if (size !== null && !(Number.isInteger(size) && size >= 0)) {
        notes.push({
          row,
          level: 'warning',
          message: `size "${sizeText}" is not a whole number of employees; it was left empty.`,
        });
      }
      changes.push({
        type: 'company',
        op: 'upsert',
        row,
        data: {
          id,
          workspaceId,
          externalId,
          name,
          website: cell(r, 'website'),
          industry: cell(r, 'industry'),
          size: size !== null && Number.isInteger(size) && size >= 0 ? size : null,
          stage: cell(r, 'stage'),
        },
      });
    }
  }
  return { changes, notes, rows: rows.length };
}
