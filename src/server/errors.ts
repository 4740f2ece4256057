/**
 * Errors as the API answers them: one body shape (`ApiError`) for every failure, a status
 * chosen by the kind of error, and no internals in a 500 (those are logged instead).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { ArchiverError, statusOf } from '../core/errors.js';
import type { ApiError } from './contract.js';

/** An error a handler throws to answer with a given status and body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.message);
  }
}

export const notFound = (what: string) => new HttpError(404, { code: 'WXA_NOT_FOUND', message: `${what} not found` });

export function sendError(reply: FastifyReply, status: number, body: ApiError): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(body);
}

interface FastifyValidationError {
  validation: { instancePath?: string; message?: string; params?: { missingProperty?: string } }[];
  message: string;
}

/** Fastify's refusal of a body over the route's `bodyLimit`, before any handler runs. */
const BODY_TOO_LARGE = 'FST_ERR_CTP_BODY_TOO_LARGE';

/** `bodyLimit`: the limit of the route that refused a body, named in the 413 answer. */
export function toApiError(err: unknown, bodyLimit?: number): { status: number; body: ApiError } {
  if (err instanceof HttpError) return { status: err.status, body: err.body };
  if ((err as { code?: string }).code === BODY_TOO_LARGE) {
    const limit = bodyLimit ? ` of ${formatBytes(bodyLimit)}` : '';
    return {
      status: 413,
      body: {
        code: 'WXA_BODY_TOO_LARGE',
        message: `the request body is larger than the limit${limit} of this request; send a smaller file or fewer items`,
      },
    };
  }
  if (err instanceof ZodError) {
    return {
      status: 400,
      body: {
        code: 'WXA_INPUT_INVALID',
        message: err.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
        fields: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    };
  }
  if (typeof err === 'object' && err !== null && 'validation' in err) {
    const v = err as FastifyValidationError;
    return {
      status: 400,
      body: {
        code: 'WXA_INPUT_INVALID',
        message: v.message,
        fields: v.validation.map((x) => ({
          path: [x.instancePath?.replace(/^\//, '').replace(/\//g, '.'), x.params?.missingProperty]
            .filter(Boolean)
            .join('.'),
          message: x.message ?? 'invalid',
        })),
      },
    };
  }
  if (err instanceof ArchiverError) {
    const fields = fieldsOf(err.details?.fields);
    return {
      status: statusOf(err.code),
      body: { code: err.code, message: err.message, ...(fields ? { fields } : {}) },
    };
  }
  const status = (err as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { code: 'WXA_BAD_REQUEST', message: (err as Error).message } };
  }
  return { status: 500, body: { code: 'WXA_INTERNAL', message: 'internal error; see the server log' } };
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : `${Math.round(n / 1024)} KiB`;
}

/** The JSON 404 for a path no route answers (never the web app's index.html). */
export function routeNotFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, {
    code: 'WXA_NOT_FOUND',
    message: `no route ${req.method} ${(req.url.split('?')[0] ?? '').slice(0, 200)}`,
  });
}

/** The field errors an ArchiverError carries in `details.fields`, answered like a body's. */
function fieldsOf(v: unknown): { path: string; message: string }[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const ok = v.filter(
    (f): f is { path: string; message: string } =>
      typeof f === 'object' && f !== null && typeof f.path === 'string' && typeof f.message === 'string',
  );
  return ok.length ? ok : undefined;
}
