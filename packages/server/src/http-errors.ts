import {
  CrmsyncError,
  ERROR_CATALOGUE,
  toErrorBody,
  type ErrorBody,
  type ErrorCode,
  type Logger,
} from '@crmsync/core';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

/*
 * One error shape for every answer that is not a success: `{ error: { code, message, details? } }`
 * with a catalogue code. Fastify's own failures (malformed JSON, a body over the limit, a wrong
 * media type) and zod's validation issues are translated here; anything unexpected becomes
 * INTERNAL with the catalogue's sentence, logged with its stack, never sent.
 */

/** The store's deliberate failures that a request can cause. */
const STORE_CODES: Record<string, ErrorCode> = {
  workspace_not_found: 'NOT_FOUND',
  external_id_taken: 'CONFLICT',
  workspace_exists: 'CONFLICT',
};

export interface HttpError {
  status: number;
  body: ErrorBody;
}

const invalid = (status: number, problem: string, details: Record<string, unknown> = {}): HttpError => ({
  status,
  body: new CrmsyncError('INVALID_INPUT', { problem, ...details }).toErrorBody(),
});

interface IssueLike {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: { keys?: unknown };
}

/** Each validation issue with its field: `{ field: 'body.email', message }`; unknown keys are named. */
function validationProblems(
  validation: readonly IssueLike[],
  where: string,
): { field: string; message: string }[] {
  return validation.map((v) => {
    const path = (v.instancePath ?? '').split('/').filter((p) => p !== '');
    const field = [where, ...path].join('.');
    if (v.keyword === 'unrecognized_keys' && Array.isArray(v.params?.keys)) {
      const keys = v.params.keys.map(String);
      return {
        field,
        message: `has unknown field${keys.length === 1 ? '' : 's'} ${keys.map((k) => `"${k}"`).join(', ')}; remove ${keys.length === 1 ? 'it' : 'them'}`,
      };
    }
    return { field, message: v.message ?? 'is not valid' };
  });
}

export function toHttpError(error: unknown, logger: Logger): HttpError {
  if (error instanceof CrmsyncError) return { status: error.status, body: error.toErrorBody() };
  const e = error as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(e)) {
    const problems = validationProblems(e.validation as IssueLike[], e.validationContext ?? 'body');
    const first = problems[0];
    return invalid(400, first === undefined ? 'a field is not valid' : `${first.field} ${first.message}`, {
      problems,
    });
  }
  if (typeof e?.code === 'string' && e.code in STORE_CODES) {
    const code = STORE_CODES[e.code]!;
    return { status: ERROR_CATALOGUE[code].status, body: new CrmsyncError(code, {}).toErrorBody() };
  }
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { status: 413, body: new CrmsyncError('PAYLOAD_TOO_LARGE', {}).toErrorBody() };
  if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return invalid(
      415,
      'the Content-Type is not accepted here; send application/json (or text/csv to an import endpoint)',
    );
  if (e?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return invalid(400, 'the body is empty; send a JSON object');
  if (e instanceof SyntaxError || e?.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return invalid(400, 'the body is not valid JSON');
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
    return invalid(e.statusCode, 'the request could not be read');
  logger.error(
    { err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) },
    'request failed',
  );
  return { status: 500, body: toErrorBody(error) };
}

export function installErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error, _request, reply) => {
    const { status, body } = toHttpError(error, logger);
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const err = new CrmsyncError(
      'NOT_FOUND',
      { resource: 'route', method: request.method, url: request.url.split('?')[0] },
      {
        message: `There is no ${request.method} ${request.url.split('?')[0]} in the crmsync API. See /docs for the routes.`,
      },
    );
    return reply.status(404).send(err.toErrorBody());
  });
}
