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
    const pool = createPool(app.config.DATABASE_URL, 10);
    app.decorate('db', pool);
    app.addHook('onClose', () => pool.end());
  },
  { name: 'db', dependencies: ['config'] },
);
