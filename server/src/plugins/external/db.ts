import fp from 'fastify-plugin';
import { createPool, type Pool } from '@servicetower/workers';

declare module 'fastify' {
  interface FastifyInstance {
    db: Pool;
  }
}

/** The PostgreSQL pool: reference data, API keys and readiness. Ingested records never go through it. */
export default fp(
  async (app) => {
    // A year of supply cycles or turnarounds sorted for their percentiles takes a few MB: in memory, not on disk.
    const pool = createPool(app.config.DATABASE_URL, 10, { work_mem: '32MB' });
    app.decorate('db', pool);
    app.addHook('onClose', () => pool.end());
  },
  { name: 'db', dependencies: ['config'] },
);
