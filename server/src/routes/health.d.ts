import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
/** /healthz: the process answers. /readyz: it can reach PostgreSQL and Redis. */
declare const health: FastifyPluginAsyncTypebox;
export default health;
