import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import { createQueues, closeQueues, type Queues } from '@servicetower/workers';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
    queues: Queues;
  }
}

/**
 * Redis for the producer side. Commands fail at once while Redis is away (no offline
 * queue), so a request gets 503 instead of a 202 for a job that was never stored.
 */
export default fp(
  async (app) => {
    const redis = new Redis(app.config.REDIS_URL, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    redis.on('error', (error: Error) => app.log.debug({ err: error.message }, 'redis connection error'));
    const queues = createQueues(redis, app.config.QUEUE_PREFIX);
    for (const queue of Object.values(queues)) queue.on('error', () => {});
    // Start answering only once connected, unless Redis is down: then /readyz and 503s tell.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000);
      redis.once('ready', () => (clearTimeout(timer), resolve()));
    });
    app.decorate('redis', redis);
    app.decorate('queues', queues);
    app.addHook('onClose', async () => {
      await closeQueues(queues).catch(() => {});
      redis.disconnect();
    });
  },
  { name: 'redis', dependencies: ['config'] },
);
