import type { LocalObjectType } from '@crmsync/core';

/** The queues of the push path: one per local type, so people and companies are claimed apart. */
export const PUSH_QUEUE = { person: 'push-person', company: 'push-company' } as const satisfies Partial<
  Record<LocalObjectType, string>
>;

export type PushType = keyof typeof PUSH_QUEUE;

/** A job names its record: `person:<id>`. */
export function jobKey(type: PushType, id: string): string {
  return `${type}:${id}`;
}

/** The record a job key names, or null for a key this path did not write. */
export function parseJobKey(key: string): { type: PushType; id: string } | null {
  const at = key.indexOf(':');
  if (at < 0) return null;
  const type = key.slice(0, at);
  if (type !== 'person' && type !== 'company') return null;
  return { type, id: key.slice(at + 1) };
}

/** D1/D4: deals have their own queue, claimed after people so a deal's Contacts exist for its roles (D6). */
export const DEAL_QUEUE = 'push-deal';

/** A deal job names its deal: `deal:<id>`. */
export const dealJobKey = (id: string): string => `deal:${id}`;

/** The deal a job key names, or null for a key of another type. */
export const parseDealJobKey = (key: string): string | null =>
  key.startsWith('deal:') && key.length > 5 ? key.slice(5) : null;
