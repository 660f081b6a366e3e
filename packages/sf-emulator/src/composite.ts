// `POST /composite`: up to 25 subrequests run in order through the same route table (not
// counted against the API budget: the composite call is the one API call), with `@{ref.path}`
// references and allOrNone rollback answering PROCESSING_HALTED (reference §1.11).
import { SalesforceError, type EmuRequest, type EmuResponse, type RouteRegistry } from './contracts.js';
import { apiErrors, parseJsonObject } from './http/api-errors.js';

export const MAX_SUBREQUESTS = 25;

/** Runs one subrequest internally: no auth, no budget, no faults. `url` is a full /services/data path. */
export type InternalDispatch = (
  parent: EmuRequest,
  method: string,
  url: string,
  body: unknown,
  headers: Record<string, string>,
) => Promise<EmuResponse>;

interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body: unknown;
  httpHeaders: Record<string, string>;
}

export interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

const HALTED_ROLLBACK =
  'The transaction was rolled back since another operation in the same transaction failed.';
const REFERENCE = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;

class UnresolvedReference extends Error {}

function parseEnvelope(
  body: Record<string, unknown>,
  maxSubrequests: number,
): { allOrNone: boolean; subrequests: Subrequest[] } {
  const list = body['compositeRequest'];
  if (!Array.isArray(list))
    throw apiErrors.jsonParse(
      'Cannot deserialize instance of CompositeRequest: "compositeRequest" must be an array of subrequests',
    );
  if (list.length > maxSubrequests)
    throw new SalesforceError(
      400,
      'LIMIT_EXCEEDED',
      `A composite request can contain at most ${maxSubrequests} subrequests; this one has ${list.length}.`,
    );
  const seen = new Set<string>();
  const subrequests = list.map((raw: unknown, i): Subrequest => {
    const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const { method, url, referenceId } = item;
    if (typeof referenceId !== 'string' || !/^[A-Za-z0-9_]+$/.test(referenceId)) {
      throw new SalesforceError(
        400,
        'INVALID_INPUT',
        `Subrequest ${i + 1}: referenceId is required and may contain only letters, digits and underscores.`,
      );
    }
    if (seen.has(referenceId))
      throw new SalesforceError(
        400,
        'INVALID_INPUT',
        `Duplicate referenceId provided in the request: ${referenceId}`,
      );
    seen.add(referenceId);
    if (
      typeof method !== 'string' ||
      !['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(method.toUpperCase())
    ) {
      throw new SalesforceError(
        400,
        'INVALID_INPUT',
        `Subrequest ${referenceId}: method must be GET, POST, PATCH, PUT or DELETE.`,
      );
    }
    if (typeof url !== 'string' || !/^\/services\/data\/v\d+\.\d\//.test(url)) {
      throw new SalesforceError(
        400,
        'INVALID_INPUT',
        `Subrequest ${referenceId}: url must start with /services/data/vXX.X/`,
      );
    }
    if (/^\/services\/data\/v\d+\.\d\/composite\/?(\?|$)/.test(url))
      throw new SalesforceError(
        400,
        'INVALID_INPUT',
        `Subrequest ${referenceId}: a composite request cannot contain another composite request.`,
      );
    const headers =
      typeof item['httpHeaders'] === 'object' && item['httpHeaders'] !== null
        ? (item['httpHeaders'] as Record<string, string>)
        : {};
    return { method: method.toUpperCase(), url, referenceId, body: item['body'], httpHeaders: headers };
  });
  return { allOrNone: body['allOrNone'] === true, subrequests };
}

/** Follows `.field` and `[n]` steps through an earlier subresponse body. */
function lookupPath(value: unknown, path: string): unknown {
  let current = value;
  for (const step of path.match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
    if (current === null || typeof current !== 'object') return undefined;
    current = step.startsWith('[')
      ? (current as unknown[])[Number(step.slice(1, -1))]
      : (current as Record<string, unknown>)[step.slice(1)];
  }
  return current;
}

function resolveText(text: string, results: Map<string, SubResponse>, wholeValue: boolean): unknown {
  const resolveOne = (refId: string, path: string): unknown => {
    const earlier = results.get(refId);
    const value =
      earlier === undefined || earlier.httpStatusCode >= 400 ? undefined : lookupPath(earlier.body, path);
    if (value === undefined)
      throw new UnresolvedReference(
        `Invalid reference specified. No value for ${refId}${path} found in ${refId}. Provided referenceId ${refId} is either not found or is not ready to be used as its request has not been fully processed.`,
      );
    return value;
  };
  const whole = /^@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}$/.exec(text);
  if (wholeValue && whole !== null) return resolveOne(whole[1]!, whole[2] ?? '');
  return text.replace(REFERENCE, (_m, refId: string, path: string) => String(resolveOne(refId, path)));
}

function resolveDeep(value: unknown, results: Map<string, SubResponse>): unknown {
  if (typeof value === 'string') return value.includes('@{') ? resolveText(value, results, true) : value;
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, results));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, results)]));
  }
  return value;
}

function halted(referenceId: string, message: string): SubResponse {
  return {
    body: [{ errorCode: 'PROCESSING_HALTED', message }],
    httpHeaders: {},
    httpStatusCode: 400,
    referenceId,
  };
}

function runComposite(req: EmuRequest, dispatch: InternalDispatch): Promise<EmuResponse> {
  return runCompositeEnvelope(req, dispatch, parseJsonObject(req.body, 'CompositeRequest'));
}

/**
 * Runs a parsed `{allOrNone, compositeRequest}` envelope; composite graph runs each graph through
 * it with allOrNone and its own node limit. Throws SalesforceError for a malformed envelope.
 */
export async function runCompositeEnvelope(
  req: EmuRequest,
  dispatch: InternalDispatch,
  envelope: Record<string, unknown>,
  maxSubrequests = MAX_SUBREQUESTS,
): Promise<EmuResponse> {
  const { allOrNone, subrequests } = parseEnvelope(envelope, maxSubrequests);
  const results = new Map<string, SubResponse>();
  const ordered: SubResponse[] = [];

  const runOne = async (sub: Subrequest): Promise<SubResponse> => {
    let url: string;
    let body: unknown;
    try {
      url = String(resolveText(sub.url, results, false));
      body = resolveDeep(sub.body, results);
    } catch (err) {
      if (err instanceof UnresolvedReference) return halted(sub.referenceId, err.message);
      throw err;
    }
    const answer = await dispatch(req, sub.method, url, body, sub.httpHeaders);
    const headers: Record<string, string> = {};
    if (answer.headers?.['Location'] !== undefined) headers['Location'] = answer.headers['Location'];
    return {
      body: answer.body ?? null,
      httpHeaders: headers,
      httpStatusCode: answer.status,
      referenceId: sub.referenceId,
    };
  };

  if (!allOrNone) {
    for (const sub of subrequests) {
      const answer = await runOne(sub);
      results.set(sub.referenceId, answer);
      ordered.push(answer);
    }
    return { status: 200, body: { compositeResponse: ordered } };
  }

  // allOrNone: one org transaction spans the subrequests; the first failure rolls all back.
  // Handlers complete without yielding to I/O, so no other request's writes interleave.
  let failedAt = -1;
  const answers: SubResponse[] = [];
  const undo = beginCompensation(req);
  for (const [i, sub] of subrequests.entries()) {
    const answer = await runOne(sub);
    results.set(sub.referenceId, answer);
    answers.push(answer);
    if (answer.httpStatusCode >= 400) {
      failedAt = i;
      break;
    }
  }
  if (failedAt < 0) {
    undo.commit();
    return { status: 200, body: { compositeResponse: answers } };
  }
  undo.rollback();
  const body = subrequests.map((sub, i) =>
    i === failedAt ? answers[i]! : halted(sub.referenceId, HALTED_ROLLBACK),
  );
  return { status: 200, body: { compositeResponse: body } };
}

/** Optional capability of an org store: a transaction that spans async work. */
export interface CompensatingOrg {
  beginTransaction(): { commit(): void; rollback(): void };
}

function beginCompensation(req: EmuRequest): { commit(): void; rollback(): void } {
  const org = req.org as unknown as Partial<CompensatingOrg>;
  if (typeof org.beginTransaction !== 'function')
    throw new Error('composite allOrNone needs an org store with beginTransaction');
  return org.beginTransaction();
}

export function registerCompositeRoutes(routes: RouteRegistry, dispatch: InternalDispatch): void {
  routes.add('POST', /^\/composite\/?$/, (req) => runComposite(req, dispatch));
}
