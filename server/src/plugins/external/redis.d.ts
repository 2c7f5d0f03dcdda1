import { Redis } from 'ioredis';
import { type Queues } from '@servicetower/workers';
declare module 'fastify' {
    interface FastifyInstance {
        redis: Redis;
        queues: Queues;
    }
}
/**
 * Redis for the producer side. Commands fail at once while Redis is away (no offline
 * queue), so a request gets 503 instead of a 202 for a job that was never stored.
 */
declare const _default: (app: import("fastify").FastifyInstance<import("fastify").RawServerDefault, import("http").IncomingMessage, import("http").ServerResponse<import("http").IncomingMessage>, import("fastify").FastifyBaseLogger, import("fastify").FastifyTypeProviderDefault>) => Promise<void>;
export default _default;
