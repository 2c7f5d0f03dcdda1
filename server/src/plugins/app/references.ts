import fp from 'fastify-plugin';
import { ReferenceCache } from '../../ingest/referenceCache.js';

declare module 'fastify' {
  interface FastifyInstance {
    references: ReferenceCache;
  }
}

export default fp(
  async (app) => {
    app.decorate('references', new ReferenceCache(app.db));
  },
  { name: 'references', dependencies: ['db'] },
);
