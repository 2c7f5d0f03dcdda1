import fp from 'fastify-plugin';
import { RollupsNotReady } from '../../repositories/kpi/scope.js';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly errors?: Array<{ path: string; message: string }>,
  ) {
    super(message);
  }
}

const make = (statusCode: number) => (message: string, headers?: Record<string, string>) => new HttpError(statusCode, message, headers);
const httpErrors = {
  badRequest: make(400),
  unauthorized: make(401),
  forbidden: make(403),
  notFound: make(404),
  conflict: make(409),
  payloadTooLarge: make(413),
  unsupportedMediaType: make(415),
  unprocessable: make(422),
  tooManyRequests: make(429),
  unavailable: make(503),
};

declare module 'fastify' {
  interface FastifyInstance {
    httpErrors: typeof httpErrors;
  }
}

interface FastifyValidationError {
  validation?: Array<{ instancePath?: string; message?: string }>;
  validationContext?: string;
}

/**
 * One error shape for every answer: `{ statusCode, error, message, errors? }`. Anything a
 * client can cause is a 4xx with a sentence that says what to fix; only our own faults are 500.
 */
export default fp(
  async (app) => {
    app.decorate('httpErrors', httpErrors);
    app.setErrorHandler((error: Error & { statusCode?: number; code?: string } & FastifyValidationError, request, reply) => {
      if (error instanceof HttpError) {
        const errors = error.errors ? { errors: error.errors } : {};
        return reply.code(error.statusCode).headers(error.headers).send({ ...body(error.statusCode, error.message), ...errors });
      }
      if (error instanceof RollupsNotReady) {
        return reply.code(503).header('retry-after', '5').send(body(503, `${error.message}; retry in a few seconds.`));
      }
      if (databaseUnavailable(error)) {
        request.log.warn({ err: error.message }, 'database unavailable');
        return reply.code(503).header('retry-after', '5').send(body(503, 'The database cannot be reached just now (restarting or overloaded); retry in a few seconds.'));
      }
      if (error.validation) {
        const where = error.validationContext ?? 'request';
        const errors = error.validation.map((e) => ({ path: `${where}${e.instancePath ?? ''}`, message: e.message ?? 'is not valid' }));
        return reply.code(400).send({ ...body(400, errors.map((e) => `${e.path} ${e.message}`).join('; ')), errors });
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return reply.code(status).send(body(status, clientMessage(error, request.headers['content-type'], app.config.INGEST_JSON_LIMIT_BYTES)));
      }
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send(body(500, 'Something went wrong on our side; the error is logged. Retry later.'));
    });
    app.setNotFoundHandler((request, reply) => reply.code(404).send(body(404, `No route ${request.method} ${request.url.split('?')[0]}.`)));
  },
  { name: 'errors', dependencies: ['config'] },
);

/**
 * PostgreSQL away or restarting: refused or dropped connections, a pool that cannot connect in time, and the
 * server's own "shutting down", "starting up" and "too many connections" (SQLSTATE 57P01–57P03, 53300, class 08).
 * Nothing the client did: 503 with Retry-After, as when Redis is away.
 */
function databaseUnavailable(error: Error & { code?: string }): boolean {
  const code = error.code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '53300'].includes(code) || /^08/.test(code)) return true;
  return /^(Connection terminated|timeout exceeded when trying to connect)/.test(error.message);
}

function body(statusCode: number, message: string) {
  const error = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large',
    415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' }[statusCode];
  return { statusCode, error: error ?? 'Error', message };
}

/** Fastify's own client errors, reworded to say what to do. */
function clientMessage(error: Error & { code?: string }, contentType: string | undefined, jsonLimit: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `Content-Type ${contentType ?? '(none)'} is not accepted here: send one of the types the route documents at /docs.`;
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `The body is larger than the ${jsonLimit}-byte limit for JSON bodies: split the batch, or send it as NDJSON (application/x-ndjson), which streams.`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The body is empty: send a JSON value.';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return `The body is not valid JSON (${error.message}); check it with a JSON linter.`;
    default:
      return error.message;
  }
}
