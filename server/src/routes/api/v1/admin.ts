import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { QUEUE_NAMES, StringEnum } from '@servicetower/domain';
import { listFailedJobs, queueCounts, replayFailedJobs } from '../../../admin/failedJobs.js';
import { errorResponses } from '../../../schemas.js';

const QueueParams = Type.Object({ queue: StringEnum(QUEUE_NAMES) });
const security = [{ apiKey: [] }];
const tags = ['admin'];

/** Queues and their failed jobs: look, then replay one or all. */
const admin: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preParsing', app.requireScope('admin'));

  app.get('/queues', {
    schema: {
      tags, security, summary: 'Jobs per queue and state',
      response: {
        200: Type.Array(Type.Object({ queue: Type.String() }, { additionalProperties: Type.Integer() })),
        ...errorResponses(401, 403),
      },
    },
  }, async () => queueCounts(app.queues));

  app.get('/queues/:queue/failed', {
    schema: {
      tags, security, summary: 'Failed jobs of a queue, newest first',
      params: QueueParams,
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
      response: {
        200: Type.Array(Type.Object({
          queue: Type.String(), id: Type.String(), failedReason: Type.String(), attempts: Type.Integer(),
          failedAt: Type.Union([Type.String(), Type.Null()]), records: Type.Integer(),
        })),
        ...errorResponses(400, 401, 403),
      },
    },
  }, async (request) => listFailedJobs(app.queues, request.params.queue, request.query.limit));

  app.post('/queues/:queue/failed/replay', {
    schema: {
      tags, security, summary: 'Replay failed jobs: the one named by jobId, or all',
      params: QueueParams,
      querystring: Type.Object({ jobId: Type.Optional(Type.String()) }),
      response: { 200: Type.Object({ replayed: Type.Integer() }), ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request) => {
    const replayed = await replayFailedJobs(app.queues, request.params.queue, request.query.jobId);
    if (request.query.jobId !== undefined && replayed === 0) {
      throw app.httpErrors.notFound(`No failed job "${request.query.jobId}" in queue ${request.params.queue}.`);
    }
    return { replayed };
  });
};

export default admin;
