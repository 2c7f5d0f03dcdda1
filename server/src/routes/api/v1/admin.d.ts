import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
/** Queues and their failed jobs: look, then replay one or all. */
declare const admin: FastifyPluginAsyncTypebox;
export default admin;
