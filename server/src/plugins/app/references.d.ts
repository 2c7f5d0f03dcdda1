import { ReferenceCache } from '../../ingest/referenceCache.js';
declare module 'fastify' {
    interface FastifyInstance {
        references: ReferenceCache;
    }
}
declare const _default: (app: import("fastify").FastifyInstance<import("fastify").RawServerDefault, import("http").IncomingMessage, import("http").ServerResponse<import("http").IncomingMessage>, import("fastify").FastifyBaseLogger, import("fastify").FastifyTypeProviderDefault>) => Promise<void>;
export default _default;
