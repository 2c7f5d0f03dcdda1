import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
/** POST /api/v1/ingest/<stream>: validate every record, queue the valid ones, answer 202 once they are in Redis. */
declare const ingest: FastifyPluginAsyncTypebox;
export default ingest;
