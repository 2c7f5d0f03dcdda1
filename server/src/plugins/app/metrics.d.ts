import { Counter } from 'prom-client';
declare module 'fastify' {
    interface FastifyInstance {
        metrics: {
            records: Counter<'stream' | 'outcome'>;
        };
    }
}
/** GET /metrics in Prometheus format: HTTP latency, records by stream and outcome, queue depth. */
declare const _default: (app: import("fastify").FastifyInstance<import("fastify").RawServerDefault, import("http").IncomingMessage, import("http").ServerResponse<import("http").IncomingMessage>, import("fastify").FastifyBaseLogger, import("fastify").FastifyTypeProviderDefault>) => Promise<void>;
export default _default;
