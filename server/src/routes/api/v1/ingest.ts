import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { STREAM_NAMES, STREAMS, type StreamName } from '@servicetower/domain';
import { BatchIngestor, type BatchSummary } from '../../../ingest/batch.js';
import { csvItems, ndjsonItems, type BodyItem } from '../../../ingest/bodies.js';
import { batchIdFor, claim, idempotencyRedisKey, type Lease } from '../../../ingest/idempotency.js';
import { HttpError } from '../../../plugins/app/errors.js';
import { BatchSummarySchema, errorResponses } from '../../../schemas.js';

const RETRY_AFTER_SECONDS = { unavailable: 5, full: 2 };
const FULL_QUEUE_PATIENCE_MS = 30_000;
const DEPTH_CACHE_MS = 200;

/** POST /api/v1/ingest/<stream>: validate every record, queue the valid ones, answer 202 once they are in Redis. */
const ingest: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app;
  // NDJSON and CSV bodies reach the handler as streams; JSON is parsed by Fastify under bodyLimit.
  app.addContentTypeParser(['application/x-ndjson', 'text/csv'], (_request, payload, done) => done(null, payload));

  const depth = new Map<StreamName, { at: number; waiting: number }>();
  async function waiting(stream: StreamName): Promise<number> {
    const cached = depth.get(stream);
    if (cached && Date.now() - cached.at < DEPTH_CACHE_MS) return cached.waiting;
    const waiting = await app.queues[stream].getWaitingCount();
    depth.set(stream, { at: Date.now(), waiting });
    return waiting;
  }
  const queueFull = () =>
    new HttpError(429, `The ingestion queue holds ${config.QUEUE_HIGH_WATER} or more waiting jobs: retry after ${RETRY_AFTER_SECONDS.full} s.`, {
      'retry-after': String(RETRY_AFTER_SECONDS.full),
    });
  const redisDown = () =>
    new HttpError(503, `The queue (Redis) is unreachable, so nothing was accepted: retry after ${RETRY_AFTER_SECONDS.unavailable} s.`, {
      'retry-after': String(RETRY_AFTER_SECONDS.unavailable),
    });

  for (const stream of STREAM_NAMES) {
    const { schema, noun, csv } = STREAMS[stream];
    app.post(
      `/${stream}`,
      {
        bodyLimit: config.INGEST_JSON_LIMIT_BYTES,
        preParsing: app.requireScope(stream),
        // Records are validated one by one by the handler, so that valid ones go on.
        validatorCompiler: () => () => true,
        schema: {
          tags: ['ingestion'],
          summary: `Ingest ${noun}s`,
          description:
            `A JSON array (at most ${config.INGEST_MAX_RECORDS} records), NDJSON (one record per line, streamed)` +
            `${csv ? ', or CSV with a header row' : ''}. Invalid records are rejected one by one; the valid ones are queued.`,
          security: [{ apiKey: [] }],
          headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 200 })) }),
          body: {
            content: {
              'application/json': { schema: Type.Array(schema) },
              'application/x-ndjson': { schema: Type.String({ description: `one ${noun} as JSON per line` }) },
              ...(csv ? { 'text/csv': { schema: Type.String({ description: 'header row of field names, then one record per row' }) } } : {}),
            },
          },
          response: { 202: BatchSummarySchema, 422: BatchSummarySchema, ...errorResponses(400, 401, 403, 409, 413, 415, 429, 503) },
        },
      },
      async (request, reply) => handle(stream, request, reply),
    );
  }

  async function handle(stream: StreamName, request: FastifyRequest, reply: FastifyReply) {
    const principal = request.principal!;
    const items = bodyItems(stream, request);
    const idempotencyKey = request.headers['idempotency-key'];
    if (typeof idempotencyKey === 'string' && (idempotencyKey.length === 0 || idempotencyKey.length > 200)) {
      throw app.httpErrors.badRequest('Idempotency-Key must be 1 to 200 characters, e.g. a UUID.');
    }
    if (app.redis.status !== 'ready') throw redisDown();
    if ((await waiting(stream).catch(() => Promise.reject(redisDown()))) >= config.QUEUE_HIGH_WATER) throw queueFull();

    // A user's Idempotency-Keys live apart from any key's (key ids are 12 hex digits, user ids plain numbers).
    const caller = principal.kind === 'key' ? principal.id : `user.${principal.id}`;
    const redisKey = typeof idempotencyKey === 'string' ? idempotencyRedisKey(config.QUEUE_PREFIX, caller, stream, idempotencyKey) : null;
    let lease: Lease | null = null;
    if (redisKey) {
      const claimed = await claim(app.redis, redisKey).catch(() => Promise.reject(redisDown()));
      if (claimed.state === 'in-progress') {
        throw app.httpErrors.conflict('A request with this Idempotency-Key is still being processed: retry in a few seconds to get its answer.');
      }
      if (claimed.state === 'done') {
        return reply.code(claimed.answer.statusCode).header('idempotent-replayed', 'true').send(claimed.answer.body);
      }
      lease = claimed.lease;
    }

    try {
      const ingestor = new BatchIngestor({
        stream,
        batchId: batchIdFor(redisKey),
        queue: app.queues[stream] as never,
        references: app.references,
        regions: principal.regions,
        jobSize: stream === 'telemetry' ? config.INGEST_JOB_READINGS : config.INGEST_JOB_EVENTS,
        waitForRoom: () => waitForRoom(stream),
      });
      for await (const item of items) {
        if ('error' in item) ingestor.reject({ index: item.index, ...(item.line ? { line: item.line } : {}), errors: [item.error] });
        else await ingestor.add(item.raw, item.index, item.line);
      }
      const summary = await ingestor.finish().catch(enqueueFailure);
      if (summary.accepted + summary.rejectedCount === 0) {
        throw app.httpErrors.badRequest('The body holds no records: send at least one.');
      }
      const statusCode = summary.accepted > 0 ? 202 : 422;
      app.metrics.records.inc({ stream, outcome: 'accepted' }, summary.accepted);
      app.metrics.records.inc({ stream, outcome: 'rejected' }, summary.rejectedCount);
      await lease?.remember({ statusCode, body: summary }, config.IDEMPOTENCY_TTL_SECONDS);
      return reply.code(statusCode).send(summary satisfies BatchSummary);
    } catch (error) {
      await lease?.release();
      throw error instanceof HttpError ? error : enqueueFailure(error);
    }
  }

  /** A failure while queueing: Redis gone is the client's 503; anything else is ours. */
  function enqueueFailure(error: unknown): never {
    if (error instanceof HttpError) throw error;
    if (app.redis.status !== 'ready' || /enableOfflineQueue|Connection is closed|MaxRetriesPerRequest/i.test(String(error))) throw redisDown();
    throw error;
  }

  async function waitForRoom(stream: StreamName): Promise<void> {
    const start = Date.now();
    while ((await waiting(stream)) >= config.QUEUE_HIGH_WATER) {
      if (Date.now() - start > FULL_QUEUE_PATIENCE_MS) throw queueFull();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  function bodyItems(stream: StreamName, request: FastifyRequest): AsyncIterable<BodyItem> | Iterable<BodyItem> {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const limits = { maxBytes: config.INGEST_STREAM_LIMIT_BYTES, maxLineBytes: config.INGEST_JSON_LIMIT_BYTES };
    if (type === 'application/x-ndjson') return ndjsonItems(request.body as Readable, limits);
    if (type === 'text/csv') {
      if (!STREAMS[stream].csv) {
        throw app.httpErrors.unsupportedMediaType(`${stream} takes JSON or NDJSON (application/x-ndjson); CSV is for service-orders, parts and complaints.`);
      }
      return csvItems(request.body as Readable, STREAMS[stream].schema, limits);
    }
    const body = request.body;
    if (!Array.isArray(body)) {
      throw app.httpErrors.badRequest('The body must be a JSON array of records; send a single record as [record], or use NDJSON for large uploads.');
    }
    if (body.length > config.INGEST_MAX_RECORDS) {
      throw app.httpErrors.payloadTooLarge(
        `The JSON array holds ${body.length} records; at most ${config.INGEST_MAX_RECORDS} are taken per request: split it, or send NDJSON (application/x-ndjson), which streams.`,
      );
    }
    return body.map((raw: unknown, index) => ({ index, raw }));
  }
};

export default ingest;
