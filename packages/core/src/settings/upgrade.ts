import { SETTINGS_VERSION } from './schema.js';

/**
 * Version 1 documents mirrored the seed's checkboxes: deals had three booleans
 * (`syncDeals`, `pullOpportunities`, `pushDeals`) and email kinds were a list of names.
 * Version 2 makes `dealSync` one enum (so contradictory combinations cannot be stored) and
 * email kinds a map of booleans.
 */
const V1_EMAIL_KINDS: Record<string, string> = {
  internal: 'internal',
  outgoing_app: 'outgoingSentThroughApp',
  outgoing_other: 'outgoingNotSentThroughApp',
  incoming_reply: 'incomingReplyToApp',
  incoming_other: 'incomingOther',
};

type Doc = Record<string, unknown>;

function isObject(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function upgradeV1(doc: Doc): Doc {
  const out: Doc = { ...doc, version: 2 };
  if (isObject(doc.deals)) {
    const { syncDeals, pullOpportunities, pushDeals, ...rest } = doc.deals;
    const pull = pullOpportunities === true;
    const push = pushDeals === true;
    const dealSync =
      syncDeals === true || (pull && push) ? 'bidirectional' : pull ? 'pull' : push ? 'push' : 'off';
    out.deals = { ...rest, dealSync };
  }
  if (
    isObject(doc.activities) &&
    isObject(doc.activities.emails) &&
    Array.isArray(doc.activities.emails.types)
  ) {
    const { types, ...emails } = doc.activities.emails;
    const kinds: Record<string, boolean> = {};
    for (const t of types) {
      const kind = typeof t === 'string' ? V1_EMAIL_KINDS[t] : undefined;
      // An unknown kind is kept under its own name so the v2 parse names it as a problem.
      kinds[kind ?? String(t)] = true;
    }
    out.activities = { ...doc.activities, emails: { ...emails, kinds } };
  }
  return out;
}

const UPGRADES: Record<number, (doc: Doc) => Doc> = { 1: upgradeV1 };

export type UpgradeResult = { ok: true; document: Doc; from: number } | { ok: false; problem: string };

/** Takes a document of any known version forward to the current one, step by step. */
export function upgradeSettings(input: unknown): UpgradeResult {
  if (!isObject(input)) return { ok: false, problem: 'The settings document must be a JSON object.' };
  const version = input.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return {
      ok: false,
      problem: `version: must be a whole number; the current version is ${SETTINGS_VERSION}.`,
    };
  }
  if (version > SETTINGS_VERSION || version < 1) {
    return {
      ok: false,
      problem: `version: ${version} is not a settings version this crmsync knows (1 to ${SETTINGS_VERSION}); export the settings again from the same crmsync release.`,
    };
  }
  let doc: Doc = input;
  for (let v = version; v < SETTINGS_VERSION; v++) {
    const step = UPGRADES[v];
    if (step === undefined) return { ok: false, problem: `version: no upgrade from version ${v} is known.` };
    doc = step(doc);
  }
  return { ok: true, document: doc, from: version };
}
