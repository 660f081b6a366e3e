// `POST /composite/batch` (reference §1.12): up to 25 independent subrequests, each its own
// transaction, with version-relative URLs (`v62.0/sobjects/...`) and bodies in `richInput`. No
// references. With haltOnError, every subrequest after the first failure answers 412
// BATCH_PROCESSING_HALTED. The batch is one API call; subrequests are not counted.
import { z } from 'zod';
import { SalesforceError, type EmuRequest, type EmuResponse, type RouteRegistry } from './contracts.js';
import type { InternalDispatch } from './composite.js';
import { apiErrors, parseJsonObject } from './http/api-errors.js';

export const MAX_BATCH_SUBREQUESTS = 25;

const batchSchema = z.object({
  haltOnError: z.boolean().optional(),
  batchRequests: z.array(
    z.object({
      method: z.string(),
      url: z.string(),
      richInput: z.unknown().optional(),
      binaryPartName: z.string().optional(),
      binaryPartNameAlias: z.string().optional(),
    }),
  ),
});

// [recall] for the message wording.
const HALTED = {
  statusCode: 412,
  result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' }],
};

/** `v62.0/sobjects/...` (or `/services/data/v62.0/...`) -> the full data path. */
function fullUrl(url: string, index: number): string {
  const relative = /^\/?v\d+\.\d\//.test(url) ? `/services/data/${url.replace(/^\//, '')}` : url;
  if (!/^\/services\/data\/v\d+\.\d\//.test(relative)) {
    throw new SalesforceError(
      400,
      'INVALID_INPUT',
      `Batch subrequest ${index + 1}: url must start with the API version, e.g. v62.0/sobjects/Account`,
    );
  }
  if (/^\/services\/data\/v\d+\.\d\/composite(\/batch|\/graph)?\/?(\?|$)/.test(relative)) {
    throw new SalesforceError(
      400,
      'INVALID_INPUT',
      `Batch subrequest ${index + 1}: a batch cannot contain composite, batch or graph requests`,
    );
  }
  return relative;
}

async function runBatch(req: EmuRequest, dispatch: InternalDispatch): Promise<EmuResponse> {
  const parsed = batchSchema.safeParse(parseJsonObject(req.body, 'BatchRequest'));
  if (!parsed.success)
    throw apiErrors.jsonParse(
      `Cannot deserialize instance of BatchRequest: ${parsed.error.issues[0]?.path.join('.') ?? 'body'} ${parsed.error.issues[0]?.message ?? 'is invalid'}`,
    );
  const { haltOnError, batchRequests } = parsed.data;
  if (batchRequests.length > MAX_BATCH_SUBREQUESTS) {
    throw new SalesforceError(
      400,
      'LIMIT_EXCEEDED',
      `A batch request can contain at most ${MAX_BATCH_SUBREQUESTS} subrequests; this one has ${batchRequests.length}.`,
    );
  }
  const subrequests = batchRequests.map((sub, i) => {
    const method = sub.method.toUpperCase();
    if (!['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD'].includes(method))
      throw new SalesforceError(
        400,
        'INVALID_INPUT',
        `Batch subrequest ${i + 1}: unsupported method ${sub.method}`,
      );
    if (sub.binaryPartName !== undefined)
      throw new SalesforceError(
        400,
        'INVALID_INPUT',
        `Batch subrequest ${i + 1}: binary parts are not supported by the emulator`,
      );
    return { method, url: fullUrl(sub.url, i), body: sub.richInput };
  });
  const results: Array<{ statusCode: number; result: unknown }> = [];
  let halted = false;
  for (const sub of subrequests) {
    if (halted) {
      results.push(HALTED);
      continue;
    }
    const answer = await dispatch(req, sub.method, sub.url, sub.body, {});
    results.push({ statusCode: answer.status, result: answer.body ?? null });
    if (answer.status >= 400 && haltOnError === true) halted = true;
  }
  return { status: 200, body: { hasErrors: results.some((r) => r.statusCode >= 400), results } };
}

export function registerCompositeBatchRoutes(routes: RouteRegistry, dispatch: InternalDispatch): void {
  routes.add('POST', /^\/composite\/batch\/?$/, (req) => runBatch(req, dispatch));
}
