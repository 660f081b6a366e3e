// Seed data: `{ "Contact": [ {...} ] }` JSON, or a CSV file named for its object (Contact.csv).
// Records are created through the normal write path, so they are validated like any other.
// A record may carry `"_ref": "acme"`; a later value `"@acme"` is replaced by that record's id.
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import type { RecordError } from './contracts.js';
import type { OrgStore } from './org/org-store.js';

export const seedDataSchema = z.record(z.string(), z.array(z.record(z.string(), z.unknown())));
export type SeedData = z.infer<typeof seedDataSchema>;

export interface SeedResult {
  created: Record<string, string[]>;
  errors: Array<{ object: string; index: number; errors: RecordError[] }>;
}

export function readSeedFile(path: string): SeedData {
  const text = readFileSync(path, 'utf8');
  if (extname(path).toLowerCase() === '.csv') {
    const rows = parseCsv(text, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
    return { [basename(path, extname(path))]: rows };
  }
  return seedDataSchema.parse(JSON.parse(text));
}

export function seedOrg(store: OrgStore, data: SeedData, userId: string): SeedResult {
  const refs = new Map<string, string>();
  const result: SeedResult = { created: {}, errors: [] };
  for (const [objectName, rows] of Object.entries(data)) {
    rows.forEach((row, index) => {
      const fields: Record<string, unknown> = {};
      let ref: string | undefined;
      for (const [key, value] of Object.entries(row)) {
        if (key === '_ref') ref = String(value);
        else if (key.toLowerCase() === 'id') continue;
        else
          fields[key] =
            typeof value === 'string' && value.startsWith('@') && refs.has(value.slice(1))
              ? refs.get(value.slice(1))
              : value;
      }
      const saved = store.create(objectName, fields, { userId });
      if (saved.success) {
        (result.created[objectName] ??= []).push(saved.id);
        if (ref !== undefined) refs.set(ref, saved.id);
      } else result.errors.push({ object: objectName, index, errors: saved.errors });
    });
  }
  return result;
}
