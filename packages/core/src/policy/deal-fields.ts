import type { Deal } from '../model/deal.js';
import type { Settings } from '../settings/schema.js';
import { mapStageFromSalesforce } from './deal-stage-mapping.js';

/*
 * The values a deal carries to and from an Opportunity. Push reads `dealValues` through the
 * Opportunity field map (X5) and adds StageName (D6); pull reads the same map backwards, so a
 * field travels both ways under one mapping and a custom mapping needs no second setting.
 */

/** Local field path -> value, as the Opportunity field map's `local` side names them. */
export function dealValues(deal: Deal): Record<string, unknown> {
  return {
    name: deal.name,
    amount: deal.amount,
    closeDate: deal.closeDate,
    externalId: deal.externalId,
  };
}

function valueAt(row: Readonly<Record<string, unknown>>, field: string): { found: boolean; value: unknown } {
  if (Object.hasOwn(row, field)) return { found: true, value: row[field] };
  const lower = field.toLowerCase();
  for (const [k, v] of Object.entries(row)) if (k.toLowerCase() === lower) return { found: true, value: v };
  return { found: false, value: undefined };
}

/**
 * Local deal fields from an Opportunity row: the field map read backwards plus `stage` from
 * StageName (D6). A field absent from the row is left out, so a query that did not select it
 * never blanks the local value.
 */
export function dealFieldsFromOpportunity(
  row: Readonly<Record<string, unknown>>,
  settings: Pick<Settings, 'fieldMappings' | 'deals'>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of settings.fieldMappings.Opportunity) {
    const { found, value } = valueAt(row, m.salesforce);
    if (found) out[m.local] = value ?? null;
  }
  const stage = valueAt(row, 'StageName');
  if (stage.found && typeof stage.value === 'string' && stage.value.trim() !== '')
    out.stage = mapStageFromSalesforce(stage.value, settings.deals.stageMapping);
  return out;
}

const blank = (v: unknown): boolean =>
  v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** Equal as the field would read in a list: blanks are equal, numbers and their text are equal. */
export function sameDealValue(a: unknown, b: unknown): boolean {
  if (blank(a) && blank(b)) return true;
  if (a === b) return true;
  if ((typeof a === 'number' || typeof a === 'string') && (typeof b === 'number' || typeof b === 'string'))
    return (
      String(a) === String(b) || (Number(a) === Number(b) && !Number.isNaN(Number(a)) && a !== '' && b !== '')
    );
  return false;
}
