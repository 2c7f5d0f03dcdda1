import { type ApiKey, type KeyScope } from '../../repositories/apiKeys.js';
declare module 'fastify' {
    interface FastifyRequest {
        apiKey: ApiKey | null;
    }
    interface FastifyInstance {
        /** A preHandler that answers 401 without a live key and 403 when the key lacks every one of `scopes`. */
        requireScope(...scopes: KeyScope[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    }
}
declare const _default: (app: import("fastify").FastifyInstance<import("fastify").RawServerDefault, import("http").IncomingMessage, import("http").ServerResponse<import("http").IncomingMessage>, import("fastify").FastifyBaseLogger, import("fastify").FastifyTypeProviderDefault>) => Promise<void>;
export default _default;
