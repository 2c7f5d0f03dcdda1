import { type Pool } from '@servicetower/workers';
declare module 'fastify' {
    interface FastifyInstance {
        db: Pool;
    }
}
/** The PostgreSQL pool: reference data, API keys and readiness. Ingested records never go through it. */
declare const _default: (app: import("fastify").FastifyInstance<import("fastify").RawServerDefault, import("http").IncomingMessage, import("http").ServerResponse<import("http").IncomingMessage>, import("fastify").FastifyBaseLogger, import("fastify").FastifyTypeProviderDefault>) => Promise<void>;
export default _default;
