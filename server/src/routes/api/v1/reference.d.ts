import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
/** Reference data: PUT /<collection>/:id upserts, GET lists and gets, POST /import/<collection> takes CSV. */
declare const reference: FastifyPluginAsyncTypebox;
export default reference;
