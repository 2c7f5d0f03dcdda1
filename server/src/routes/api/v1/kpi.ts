import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import { StringEnum } from '@servicetower/domain';
import { HttpError } from '../../../plugins/app/errors.js';
import { complaintRates, serviceLoad, type KpiGroupBy, type KpiQuery } from '../../../repositories/kpi.js';
import { errorResponses } from '../../../schemas.js';

/** The longest range a query may span, in years: day buckets are capped lower than week and month buckets. */
const MAX_YEARS = { day: 3, week: 10, month: 10 } as const;

const LocalDate = (description: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description });
const Filters = {
  from: LocalDate('first local date of the business time zone, YYYY-MM-DD'),
  to: LocalDate('local date after the last one (exclusive), YYYY-MM-DD'),
  interval: StringEnum(['day', 'week', 'month'] as const, 'bucket length; weeks start on Monday; buckets overlapping the range are given whole'),
  region: Type.Optional(Type.String({ minLength: 1 })),
  outlet: Type.Optional(Type.String({ minLength: 1 })),
  productLine: Type.Optional(Type.String({ minLength: 1 })),
};

const Unavailable = Type.Object({ value: Type.Null(), reason: Type.String() }, { description: 'the figure cannot be computed for this scope and bucket' });
const Figure = <T extends TSchema>(schema: T) => Type.Union([schema, Unavailable]);
const RowHead = {
  bucket: Type.String({ description: 'ISO date of the local bucket start' }),
  group: Type.Union([Type.String(), Type.Null()], { description: 'the groupBy value, null without groupBy' }),
};

const ServiceLoadRow = Type.Object({
  ...RowHead,
  ordersReceived: Type.Integer(),
  ordersCompleted: Type.Integer(),
  backlog: Type.Integer({ description: 'orders open at the bucket end' }),
  avgOrdersPerOutlet: Figure(Type.Number()),
  ordersPerTechnician: Figure(Type.Number()),
  turnaroundHours: Figure(Type.Object({ mean: Type.Number(), p50: Type.Number(), p90: Type.Number() })),
  firstTimeFixRate: Figure(Type.Number()),
});

const ComplaintRow = Type.Object({
  ...RowHead,
  complaints: Type.Integer(),
  ordersReceived: Type.Integer(),
  ratePer100: Figure(Type.Number()),
  partsWaitComplaints: Type.Integer(),
  partsWaitRatePer100: Figure(Type.Number()),
});

const SERVICE_LOAD_COLUMNS = ['bucket', 'group', 'ordersReceived', 'ordersCompleted', 'backlog', 'avgOrdersPerOutlet', 'ordersPerTechnician',
  'turnaroundHoursMean', 'turnaroundHoursP50', 'turnaroundHoursP90', 'firstTimeFixRate'];
const COMPLAINT_COLUMNS = Object.keys(ComplaintRow.properties);

/** The same rows as JSON or, asked for with `Accept: text/csv`, as CSV. */
const rowsOrCsv = <T extends TSchema>(row: T) => ({
  description: 'the rows, one per bucket and group, in bucket then group order',
  content: {
    'application/json': { schema: Type.Object({ rows: Type.Array(row) }) },
    'text/csv': { schema: Type.String({ description: 'a header row, then the rows' }) },
  },
});

const csvNote = 'Answers CSV with `Accept: text/csv` (nested figures flattened, an unavailable figure left empty).';

/** DESIGN.md §5 query API: figures computed from the fact tables in the business time zone. */
const kpi: FastifyPluginAsyncTypebox = async (app) => {
  const common = { tags: ['kpi'], security: [{ apiKey: [] }] };

  app.get(
    '/service-load',
    {
      preHandler: app.requireScope('read', 'admin'),
      schema: {
        ...common,
        summary: 'Orders received and completed, backlog, load per outlet and technician, turnaround, first-time fix rate',
        description: csvNote,
        querystring: Type.Object({ ...Filters, groupBy: Type.Optional(StringEnum(['region', 'outlet', 'productLine'] as const)) }),
        response: { 200: rowsOrCsv(ServiceLoadRow), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const rows = await serviceLoad(app.db, kpiQuery(request.query, request.apiKey!.regions));
      return wantsCsv(request.headers.accept) ? reply.type('text/csv; charset=utf-8').send(toCsv(SERVICE_LOAD_COLUMNS, rows)) : { rows };
    },
  );

  app.get(
    '/complaints',
    {
      preHandler: app.requireScope('read', 'admin'),
      schema: {
        ...common,
        summary: 'Complaints and complaint rates per 100 orders received, parts-wait complaints apart',
        description: csvNote,
        querystring: Type.Object({ ...Filters, groupBy: Type.Optional(StringEnum(['region', 'outlet', 'productLine', 'cause'] as const)) }),
        response: { 200: rowsOrCsv(ComplaintRow), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const rows = await complaintRates(app.db, kpiQuery(request.query, request.apiKey!.regions));
      return wantsCsv(request.headers.accept) ? reply.type('text/csv; charset=utf-8').send(toCsv(COMPLAINT_COLUMNS, rows)) : { rows };
    },
  );

  interface Filter {
    from: string;
    to: string;
    interval: KpiQuery['interval'];
    groupBy?: KpiGroupBy;
    region?: string;
    outlet?: string;
    productLine?: string;
  }

  function kpiQuery(filter: Filter, regions: string[] | null): KpiQuery {
    const from = localDate(filter.from, 'from');
    const to = localDate(filter.to, 'to');
    if (to <= from) throw badQuery('to', `to (${filter.to}) must be after from (${filter.from}): to is exclusive.`);
    const limit = new Date(from);
    limit.setUTCFullYear(limit.getUTCFullYear() + MAX_YEARS[filter.interval]);
    if (to > limit.getTime()) {
      throw badQuery('to', `The range from ${filter.from} to ${filter.to} is longer than ${MAX_YEARS[filter.interval]} years at interval ${filter.interval}: shorten it or use a longer interval.`);
    }
    return {
      timeZone: app.config.BUSINESS_TIMEZONE,
      interval: filter.interval,
      from: filter.from,
      to: filter.to,
      groupBy: filter.groupBy ?? null,
      region: filter.region ?? null,
      outlet: filter.outlet ?? null,
      productLine: filter.productLine ?? null,
      regions,
    };
  }
};

/** A calendar date as ms since the epoch; a 400 naming the parameter when it is no real date (2026-02-30). */
function localDate(value: string, name: string): number {
  const t = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== value) {
    throw badQuery(name, `${name} (${value}) is not a calendar date: use YYYY-MM-DD.`);
  }
  return t;
}

function badQuery(name: string, message: string): HttpError {
  return new HttpError(400, message, {}, [{ path: `querystring/${name}`, message }]);
}

function wantsCsv(accept: string | undefined): boolean {
  return accept?.split(',').some((type) => type.trim().split(';')[0]!.toLowerCase() === 'text/csv') ?? false;
}

/**
 * Rows as CSV under the given header: nested figures flattened (turnaroundHours.mean → turnaroundHoursMean), an unavailable
 * figure as empty cells; a cell that a spreadsheet would read as a formula is prefixed with a quote.
 */
export function toCsv(columns: readonly string[], rows: readonly object[]): string {
  const flat = rows.map(flatten);
  const lines = [columns.map(csvCell), ...flat.map((row) => columns.map((column) => csvCell(row[column])))];
  return lines.map((cells) => `${cells.join(',')}\r\n`).join('');
}

function flatten(row: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row) as Array<[string, unknown]>) {
    if (value === null || typeof value !== 'object') out[key] = value;
    else if ('reason' in value) out[key] = null;
    else for (const [part, inner] of Object.entries(value)) out[`${key}${part[0]!.toUpperCase()}${part.slice(1)}`] = inner;
  }
  return out;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export default kpi;
