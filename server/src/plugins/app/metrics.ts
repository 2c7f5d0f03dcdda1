import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { QUEUE_NAMES } from '@servicetower/domain';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { records: Counter<'stream' | 'outcome'> };
  }
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** GET /metrics in Prometheus format: HTTP latency, records by stream and outcome, queue depth. */
export default fp(
  async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'servicetower_api_' });
    const httpDuration = new Histogram({
      name: 'servicetower_http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    });
    const records = new Counter({
      name: 'servicetower_records_ingested_total',
      help: 'Records received by the ingestion API, by stream and outcome (accepted, rejected)',
      labelNames: ['stream', 'outcome'],
      registers: [registry],
    });
    new Gauge({
      name: 'servicetower_queue_jobs',
      help: 'Jobs in each queue by state',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        for (const name of QUEUE_NAMES) {
          const counts = await app.queues[name].getJobCounts(...QUEUE_STATES).catch(() => null);
          if (counts) for (const state of QUEUE_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
        }
      },
    });

    app.decorate('metrics', { records });
    app.addHook('onResponse', async (request, reply) => {
      httpDuration.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'metrics', dependencies: ['redis'] },
);
