import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findApiKeyByToken, type ApiKey, type KeyScope } from '../../repositories/apiKeys.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey: ApiKey | null;
  }
  interface FastifyInstance {
    /** A preHandler that answers 401 without a live key and 403 when the key lacks every one of `scopes`. */
    requireScope(...scopes: KeyScope[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

export default fp(
  async (app) => {
    app.decorateRequest('apiKey', null);
    app.decorate('requireScope', (...scopes: KeyScope[]) => async (request: FastifyRequest, reply: FastifyReply) => {
      const header = request.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      const key = token ? await findApiKeyByToken(app.db, token) : null;
      if (!key) {
        reply.header('www-authenticate', 'Bearer');
        throw app.httpErrors.unauthorized(
          token ? 'The API key is unknown or revoked: ask an admin for a new one.' : 'Send an API key as "Authorization: Bearer <key>".',
        );
      }
      if (!scopes.some((scope) => key.scopes.includes(scope))) {
        throw app.httpErrors.forbidden(`This API key lacks the scope this route needs (${scopes.join(' or ')}); it has ${key.scopes.join(', ')}.`);
      }
      request.apiKey = key;
    });
  },
  { name: 'auth', dependencies: ['db', 'errors'] },
);
