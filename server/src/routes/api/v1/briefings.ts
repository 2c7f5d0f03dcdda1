import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Briefing, BriefingDelivery, briefingJobId, DEPARTMENTS, isLocalDate, previousLocalDay, StringEnum } from '@servicetower/domain';
import { listBriefingDeliveries, readBriefing } from '@servicetower/workers';
import { HttpError } from '../../../plugins/app/errors.js';
import { errorResponses } from '../../../schemas.js';

const LocalDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'local date in the business time zone, YYYY-MM-DD' });
const common = { tags: ['briefings'], security: [{ apiKey: [] }] };

/** The daily briefing: read it, see how its webhook deliveries went, run it again for a day. */
const briefings: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        ...common,
        summary: 'The briefing of a local day: per department, a summary and its findings with their trend',
        querystring: Type.Object({ date: LocalDate, department: Type.Optional(StringEnum(DEPARTMENTS)) }),
        response: { 200: Briefing, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      if (request.principal!.regions !== null) {
        throw app.httpErrors.forbidden('The briefing covers the whole network: a key or user limited to regions cannot read it; use an all-regions key or account.');
      }
      const date = calendarDate(request.query.date);
      const briefing = await readBriefing(app.db, date, request.query.department ?? null);
      if (briefing === null) {
        throw app.httpErrors.notFound(`No briefing was written for ${date}${request.query.department ? ` (${request.query.department})` : ''}: ` +
          'briefings are written each morning for the day before; an admin can run one with POST /api/v1/briefings/runs?date=.');
      }
      return briefing;
    },
  );

  app.get(
    '/deliveries',
    {
      preParsing: app.requireScope('admin'),
      schema: {
        ...common,
        summary: 'The webhook delivery log of a day’s briefing: one row per attempt, oldest first',
        querystring: Type.Object({ date: LocalDate }),
        response: { 200: Type.Object({ rows: Type.Array(BriefingDelivery) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({ rows: await listBriefingDeliveries(app.db, calendarDate(request.query.date)) }),
  );

  app.post(
    '/runs',
    {
      preParsing: app.requireScope('admin'),
      schema: {
        ...common,
        summary: 'Queue a briefing run for a local day (default the day before); it is rewritten and delivered again',
        querystring: Type.Object({ date: Type.Optional(LocalDate) }),
        response: { 202: Type.Object({ date: Type.String(), jobId: Type.String() }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const date = request.query.date === undefined ? previousLocalDay(app.config.BUSINESS_TIMEZONE) : calendarDate(request.query.date);
      const job = await app.queues.briefing.add('briefing', { date }, { jobId: briefingJobId(date, `run${Date.now()}`) });
      return reply.code(202).send({ date, jobId: String(job.id) });
    },
  );
};

function calendarDate(value: string): string {
  if (isLocalDate(value)) return value;
  const message = `date (${value}) is not a calendar date: use YYYY-MM-DD, e.g. 2026-03-08.`;
  throw new HttpError(400, message, {}, [{ path: 'querystring/date', message }]);
}

export default briefings;
