import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  checks: Type.Object({ database: Type.String(), redis: Type.String() }),
});

/** /healthz: the process answers. /readyz: it can reach PostgreSQL and Redis. */
const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', { schema: { tags: ['operations'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }));

  app.get('/readyz', { schema: { tags: ['operations'], response: { 200: Readiness, 503: Readiness } } }, async (_request, reply) => {
    const [database, redis] = await Promise.all([
      app.db.query('SELECT 1').then(() => 'ok', (error: Error) => `unreachable: ${error.message}`),
      app.redis.status === 'ready'
        ? app.redis.ping().then(() => 'ok', (error: Error) => `unreachable: ${error.message}`)
        : Promise.resolve(`unreachable: connection ${app.redis.status}`),
    ]);
    const ok = database === 'ok' && redis === 'ok';
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks: { database, redis } });
  });
};

export default health;
