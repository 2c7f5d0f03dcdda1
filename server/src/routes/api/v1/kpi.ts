import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import {
  ComplaintRow, isStorableDateTime, OpenPartsRequestRow, OrderWaitingForPartsRow, OverviewTiles, PARTS_SOURCES, PartsWaitComplaintRow, ServiceLoadRow, StringEnum, SupplyCycleRow,
} from '@servicetower/domain';
import { toCsv, wantsCsv } from '../../../csv.js';
import { HttpError } from '../../../plugins/app/errors.js';
import {
  complaintRates, openPartsRequests, ordersWaitingForParts, overview, partsWaitComplaints, serviceLoad, supplyCycle, type KpiGroupBy, type KpiQuery, type SnapshotQuery,
} from '../../../repositories/kpi.js';
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

const Snapshot = {
  at: Type.Optional(Type.String({ description: 'ISO time the list is taken at (events at or after it have not happened); default now' })),
  region: Type.Optional(Type.String({ minLength: 1 })),
  outlet: Type.Optional(Type.String({ minLength: 1 })),
  limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000, description: 'at most this many rows, oldest first' }),
};

/** A list as of a moment, oldest first, as JSON or CSV. */
const listOrCsv = <T extends TSchema>(row: T) => ({
  description: 'the rows, oldest first',
  content: {
    'application/json': { schema: Type.Object({ at: Type.String(), rows: Type.Array(row) }) },
    'text/csv': { schema: Type.String({ description: 'a header row, then the rows' }) },
  },
});

const SERVICE_LOAD_COLUMNS = ['bucket', 'group', 'ordersReceived', 'ordersCompleted', 'backlog', 'avgOrdersPerOutlet', 'ordersPerTechnician',
  'turnaroundHoursMean', 'turnaroundHoursP50', 'turnaroundHoursP90', 'firstTimeFixRate'];
const COMPLAINT_COLUMNS = Object.keys(ComplaintRow.properties);
const SUPPLY_CYCLE_COLUMNS = Object.keys(SupplyCycleRow.properties);
const PARTS_WAIT_COLUMNS = ['bucket', 'group', 'ordersWaited', 'ordersNotWaited', 'complaintsWaited', 'complaintsNotWaited',
  'complaintRateWaitedPer100', 'complaintRateNotWaitedPer100', 'partsWaitRatePer100', 'supplyCycleMeanDaysHq_stock', 'supplyCycleMeanDaysHq_procured'];
const OPEN_REQUEST_COLUMNS = Object.keys(OpenPartsRequestRow.properties);
const WAITING_COLUMNS = Object.keys(OrderWaitingForPartsRow.properties);

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
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        ...common,
        summary: 'Orders received and completed, backlog, load per outlet and technician, turnaround, first-time fix rate',
        description: csvNote,
        querystring: Type.Object({ ...Filters, groupBy: Type.Optional(StringEnum(['region', 'outlet', 'productLine'] as const)) }),
        response: { 200: rowsOrCsv(ServiceLoadRow), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const rows = await serviceLoad(app.db, kpiQuery(request.query, request.principal!.regions));
      return wantsCsv(request.headers.accept) ? reply.type('text/csv; charset=utf-8').send(toCsv(SERVICE_LOAD_COLUMNS, rows)) : { rows };
    },
  );

  app.get(
    '/complaints',
    {
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        ...common,
        summary: 'Complaints and complaint rates per 100 orders received, parts-wait complaints apart',
        description: csvNote,
        querystring: Type.Object({ ...Filters, groupBy: Type.Optional(StringEnum(['region', 'outlet', 'productLine', 'cause'] as const)) }),
        response: { 200: rowsOrCsv(ComplaintRow), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const rows = await complaintRates(app.db, kpiQuery(request.query, request.principal!.regions));
      return wantsCsv(request.headers.accept) ? reply.type('text/csv; charset=utf-8').send(toCsv(COMPLAINT_COLUMNS, rows)) : { rows };
    },
  );

  app.get(
    '/parts/supply-cycle',
    {
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        ...common,
        summary: 'Parts supply cycle in days (first received − first requested), in the bucket of the receipt',
        description: `${csvNote} targetDays is the source target when the row's requests come from one source (a part's own target with ` +
          'groupBy=part, which lists only the parts received in the range); a network, region or outlet row mixing both sources gives ' +
          'it null with the reason, and `source` narrows to one. ' +
          'Parts requests carry no product line, so productLine is refused.',
        querystring: Type.Object({
          ...Filters,
          groupBy: Type.Optional(StringEnum(['source', 'region', 'outlet', 'part'] as const)),
          source: Type.Optional(StringEnum(PARTS_SOURCES)),
        }),
        response: { 200: rowsOrCsv(SupplyCycleRow), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { groupBy, source, productLine, ...filter } = request.query;
      if (productLine !== undefined) {
        throw badQuery('productLine', 'Parts requests carry no product line: drop productLine and filter by region, outlet or source instead.');
      }
      const query = { ...kpiQuery(filter, request.principal!.regions), groupBy: groupBy ?? null, source: source ?? null };
      const rows = await supplyCycle(app.db, query);
      return wantsCsv(request.headers.accept) ? reply.type('text/csv; charset=utf-8').send(toCsv(SUPPLY_CYCLE_COLUMNS, rows)) : { rows };
    },
  );

  app.get(
    '/parts/wait-complaints',
    {
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        ...common,
        summary: 'Waiting for parts and complaints: complaint rate of orders that waited for parts against those that did not, beside the supply cycle',
        description: `${csvNote} Orders count in the bucket they were received in, with every complaint that names them (orderId), ` +
          'whenever it was made; partsWaitRatePer100 and supplyCycleMeanDays are the bucket\'s own. A product line has no supply cycle.',
        querystring: Type.Object({ ...Filters, groupBy: Type.Optional(StringEnum(['region', 'outlet', 'productLine'] as const)) }),
        response: { 200: rowsOrCsv(PartsWaitComplaintRow), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const rows = await partsWaitComplaints(app.db, kpiQuery(request.query, request.principal!.regions));
      return wantsCsv(request.headers.accept) ? reply.type('text/csv; charset=utf-8').send(toCsv(PARTS_WAIT_COLUMNS, rows)) : { rows };
    },
  );

  app.get(
    '/parts/open-requests',
    {
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        ...common,
        summary: 'Parts requests open at a moment (requested, neither received nor cancelled), with their age',
        description: csvNote,
        querystring: Type.Object(Snapshot),
        response: { 200: listOrCsv(OpenPartsRequestRow), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const query = snapshotQuery(request.query, request.principal!.regions);
      const rows = await openPartsRequests(app.db, query);
      return wantsCsv(request.headers.accept) ? reply.type('text/csv; charset=utf-8').send(toCsv(OPEN_REQUEST_COLUMNS, rows)) : { at: query.at.toISOString(), rows };
    },
  );

  app.get(
    '/orders/waiting-parts',
    {
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        ...common,
        summary: 'Open orders waiting for parts at a moment: their last parts_requested has no parts_received after it',
        description: csvNote,
        querystring: Type.Object(Snapshot),
        response: { 200: listOrCsv(OrderWaitingForPartsRow), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const query = snapshotQuery(request.query, request.principal!.regions);
      const rows = await ordersWaitingForParts(app.db, query);
      return wantsCsv(request.headers.accept) ? reply.type('text/csv; charset=utf-8').send(toCsv(WAITING_COLUMNS, rows)) : { at: query.at.toISOString(), rows };
    },
  );

  app.get(
    '/overview',
    {
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        ...common,
        summary: 'The landing tiles for a period: orders, backlog, complaint rates, supply cycle per source, open requests, orders waiting for parts',
        description: 'The period is from–to (local dates, to exclusive; both or neither), by default the last full local month.',
        querystring: Type.Object({
          from: Type.Optional(Filters.from),
          to: Type.Optional(Filters.to),
          region: Type.Optional(Type.String({ minLength: 1 })),
          outlet: Type.Optional(Type.String({ minLength: 1 })),
        }),
        response: { 200: OverviewTiles, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { from, to, ...scope } = request.query;
      if ((from === undefined) !== (to === undefined)) throw badQuery(from === undefined ? 'from' : 'to', 'Give both from and to, or neither for the last full month.');
      const period = from !== undefined && to !== undefined ? { from, to } : lastFullMonth(app.config.BUSINESS_TIMEZONE);
      const { interval: _interval, groupBy: _groupBy, ...query } = kpiQuery({ ...scope, ...period, interval: 'day' }, request.principal!.regions);
      return overview(app.db, query);
    },
  );

  function snapshotQuery(filter: { at?: string; region?: string; outlet?: string; limit: number }, regions: string[] | null): SnapshotQuery {
    // isStorableDateTime: a real calendar instant (not 2026-02-30, which Date rolls over to 2 March) that
    // PostgreSQL takes (9999-12-31T23:59:59-18:00, year 10000 in UTC, made it answer 500).
    const at = filter.at === undefined ? new Date() : new Date(filter.at);
    if (Number.isNaN(at.getTime()) || (filter.at !== undefined && !isStorableDateTime(filter.at))) {
      throw badQuery('at', `at (${filter.at}) is not an ISO time: use e.g. 2026-03-20T10:00:00+08:00.`);
    }
    return { timeZone: app.config.BUSINESS_TIMEZONE, at, region: filter.region ?? null, outlet: filter.outlet ?? null, regions, limit: filter.limit };
  }

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
      supplyTargets: { hq_stock: app.config.SUPPLY_TARGET_HQ_STOCK_DAYS, hq_procured: app.config.SUPPLY_TARGET_HQ_PROCURED_DAYS },
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

/** The local month before the current one in the business time zone, as from and to local dates. */
function lastFullMonth(timeZone: string, now = new Date()): { from: string; to: string } {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).format(now).split('-').map(Number) as [number, number];
  const to = new Date(Date.UTC(year, month - 1, 1));
  const from = new Date(Date.UTC(year, month - 2, 1));
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

function badQuery(name: string, message: string): HttpError {
  return new HttpError(400, message, {}, [{ path: `querystring/${name}`, message }]);
}

export default kpi;
