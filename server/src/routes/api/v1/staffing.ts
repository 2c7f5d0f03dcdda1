import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Staffing, StaffingOutletRow } from '@servicetower/domain';
import { toCsv, wantsCsv } from '../../../csv.js';
import { HttpError } from '../../../plugins/app/errors.js';
import { staffing } from '../../../repositories/kpi/staffing.js';
import { errorResponses } from '../../../schemas.js';

/** How far ahead a month may be forecast, in months after the current one. */
const MAX_MONTHS_AHEAD = 12;
const OUTLET_COLUMNS = Object.keys(StaffingOutletRow.properties);

/** DESIGN.md §5 staffing recommendation: forecast orders, technicians needed, new-outlet and consolidation flags. */
const staffingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/staffing',
    {
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        tags: ['kpi'],
        security: [{ apiKey: [] }],
        summary: 'Orders forecast per outlet for a month, technicians needed and the difference from headcount, new-outlet and consolidation flags',
        description:
          'The history is every full local month before the month (before the current month for a later one, forecast that many months ahead), ' +
          'from the first month with an order. Flags compare the trailing three months of actual orders with the network average per outlet, ' +
          'the network being every outlet the caller may see whatever the filters. Answers the outlet rows as CSV with `Accept: text/csv` ' +
          '(an unavailable figure left empty).',
        querystring: Type.Object({
          month: Type.Optional(Type.String({ description: 'the month to forecast, YYYY-MM; default the current month in the business time zone' })),
          region: Type.Optional(Type.String({ minLength: 1 })),
          outlet: Type.Optional(Type.String({ minLength: 1 })),
        }),
        response: {
          200: {
            description: 'the recommendation',
            content: {
              'application/json': { schema: Staffing },
              'text/csv': { schema: Type.String({ description: 'a header row, then one row per outlet' }) },
            },
          },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const current = currentMonth(app.config.BUSINESS_TIMEZONE);
      const month = request.query.month ?? current;
      const index = monthIndex(month);
      if (index > monthIndex(current) + MAX_MONTHS_AHEAD) {
        throw badMonth(`month (${month}) is more than ${MAX_MONTHS_AHEAD} months after the current month ${current}: choose an earlier month.`);
      }
      const result = await staffing(app.db, {
        timeZone: app.config.BUSINESS_TIMEZONE,
        month,
        historyTo: month < current ? month : current,
        regions: request.principal!.regions,
        region: request.query.region ?? null,
        outlet: request.query.outlet ?? null,
        targetOrdersPerTechnician: app.config.TARGET_ORDERS_PER_TECHNICIAN,
        newOutletRatio: app.config.STAFFING_NEW_OUTLET_RATIO,
        consolidateRatio: app.config.STAFFING_CONSOLIDATE_RATIO,
      });
      return wantsCsv(request.headers.accept) ? reply.type('text/csv; charset=utf-8').send(toCsv(OUTLET_COLUMNS, result.outlets)) : result;
    },
  );
};

/** Months since year 0 of a YYYY-MM month; a 400 naming the parameter when it is no month. */
function monthIndex(month: string): number {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  const number = match ? Number(match[2]) : 0;
  if (!match || number < 1 || number > 12 || Number(match[1]) < 1) throw badMonth(`month (${month}) is not a month: use YYYY-MM, e.g. 2026-03.`);
  return Number(match[1]) * 12 + number - 1;
}

/** The current local month in the business time zone, YYYY-MM. */
function currentMonth(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).format(now).slice(0, 7);
}

function badMonth(message: string): HttpError {
  return new HttpError(400, message, {}, [{ path: 'querystring/month', message }]);
}

export default staffingRoutes;
