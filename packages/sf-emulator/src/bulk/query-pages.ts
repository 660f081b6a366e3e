// Pages of a completed query job. A locator is the base64 of the next row offset without padding
// (Salesforce's own look like `MTAwMDA`, which is "10000"); the last page's locator is the literal
// string `null`, which is what jsforce loops until.
export const LAST_PAGE_LOCATOR = 'null';

export function encodeLocator(offset: number): string {
  return Buffer.from(String(offset)).toString('base64').replace(/=+$/, '');
}

/** The offset a locator names, or undefined when it is not one this job could have issued. */
export function decodeLocator(locator: string, totalRows: number): number | undefined {
  if (!/^[A-Za-z0-9+/]+$/.test(locator)) return undefined;
  const text = Buffer.from(locator, 'base64').toString('utf8');
  if (!/^\d+$/.test(text)) return undefined;
  const offset = Number(text);
  return offset > 0 && offset < totalRows ? offset : undefined;
}

export interface Page {
  start: number;
  end: number;
  nextLocator: string;
}

export function pageAt(offset: number, maxRecords: number, totalRows: number): Page {
  const end = Math.min(totalRows, offset + maxRecords);
  return { start: offset, end, nextLocator: end < totalRows ? encodeLocator(end) : LAST_PAGE_LOCATOR };
}
