import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  compileValidator, CostQuery, DeviceCost, isOffsetDateTime, Series, SeriesQuery, SensorName, SERIES_MAX_SENSORS, TELEMETRY_MAX_RANGE_DAYS,
} from '@servicetower/domain';
import { HttpError } from '../../../plugins/app/errors.js';
import { deviceCost, findSeriesDevice, readSeries, seriesJson, type SeriesDevice } from '../../../repositories/telemetry.js';
import { errorResponses } from '../../../schemas.js';

const common = { tags: ['telemetry'], security: [{ apiKey: [] }] };
const DeviceParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const isSensorName = compileValidator(SensorName);

/** A device's telemetry (DESIGN.md §6): downsampled series, and operating hours and cost. */
const telemetry: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/devices/:id/series',
    {
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        ...common,
        summary: 'A device’s sensor series over [from, to), at most maxPoints points per sensor, every extreme kept',
        description: 'Per sensor: every raw reading when there are at most maxPoints; largest-triangle sampling of the raw readings ' +
          '(every sampling bucket’s min and max kept) when there are at most 10 × maxPoints; else min, max, mean and count per bucket, ' +
          'merged from the 10-minute or 1-hour rollup into buckets of the smallest multiple of its grain that fits maxPoints ' +
          '(buckets overlapping [from, to) are given whole).',
        params: DeviceParams,
        querystring: SeriesQuery,
        response: { 200: Series, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { from, to } = timeRange(request.query.from, request.query.to);
      const device = await visibleDevice(request.params.id, request.principal!.regions);
      const sensors = requestedSensors(device, request.query.sensors);
      const series = await readSeries(app.db, { deviceId: device.deviceId, sensors, from, to, maxPoints: request.query.maxPoints });
      const head = { deviceId: device.deviceId, from: from.toISOString(), to: to.toISOString(), maxPoints: request.query.maxPoints };
      // Written by seriesJson rather than the schema's serializer: with points a union of two shapes, that one tries
      // each shape on each of up to 200,000 points, and took longer than reading them. The rows are built to the schema.
      // A string is sent as it is (the cast only quiets the schema's body type).
      return reply.type('application/json; charset=utf-8').send(seriesJson(head, series) as unknown as Series);
    },
  );

  app.get(
    '/devices/:id/cost',
    {
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        ...common,
        summary: 'A device’s operating hours, the labour and parts cost of its service orders, cost per operating hour, mean time between failures',
        description: 'Operating hours: the device’s readings of any sensor in time order; the time between two ' +
          `consecutive ones counts when they are at most OPERATING_MAX_GAP_MINUTES (${app.config.OPERATING_MAX_GAP_MINUTES}) apart, ` +
          'a longer gap counts as switched off. Orders: the device’s service orders created in [from, to), cancelled ones excluded; ' +
          'labour is their laborCost, parts their parts requests (not cancelled) at quantity × unit cost (the part’s when the request ' +
          'has none). Every such order is a failure: mean time between failures = operating hours ÷ orders.',
        params: DeviceParams,
        querystring: CostQuery,
        response: { 200: DeviceCost, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { from, to } = timeRange(request.query.from, request.query.to);
      const device = await visibleDevice(request.params.id, request.principal!.regions);
      const sensors = [...device.sensors.keys()];
      return deviceCost(app.db, { deviceId: device.deviceId, sensors, from, to, maxGapMinutes: app.config.OPERATING_MAX_GAP_MINUTES });
    },
  );

  /** The device, when the key may see it: a key scoped to regions sees the devices of their outlets only. */
  async function visibleDevice(deviceId: string, regions: string[] | null): Promise<SeriesDevice> {
    const device = await findSeriesDevice(app.db, deviceId, regions);
    if (device === null) throw app.httpErrors.notFound(`There is no device ${deviceId} this API key may see: check the id with GET /api/v1/devices.`);
    return device;
  }
};

function timeRange(fromText: string, toText: string): { from: Date; to: Date } {
  const from = instant(fromText, 'from');
  const to = instant(toText, 'to');
  if (to <= from) throw badQuery('to', `to (${toText}) must be after from (${fromText}): to is exclusive.`);
  if (to.getTime() - from.getTime() > TELEMETRY_MAX_RANGE_DAYS * 86_400_000) {
    throw badQuery('to', `The range from ${fromText} to ${toText} is longer than ${TELEMETRY_MAX_RANGE_DAYS} days: shorten it.`);
  }
  return { from, to };
}

function instant(value: string, name: string): Date {
  if (!isOffsetDateTime(value)) throw badQuery(name, `${name} (${value}) is not an ISO time with an offset: use e.g. 2026-03-20T10:00:00+08:00.`);
  return new Date(value);
}

/** The sensors asked for (default: all of the model's), each of the device's model, with their units. */
function requestedSensors(device: SeriesDevice, list: string | undefined): Array<{ name: string; unit: string }> {
  const names = list === undefined ? [...device.sensors.keys()] : [...new Set(list.split(',').map((s) => s.trim()))];
  const known = [...device.sensors.keys()].join(', ') || 'none';
  const malformed = names.find((name) => !isSensorName.check(name));
  if (malformed !== undefined) throw badQuery('sensors', `"${malformed}" is not a sensor name: give comma-separated names of the model's sensors (${known}).`);
  const unknown = names.filter((name) => !device.sensors.has(name));
  if (unknown.length > 0) {
    throw badQuery('sensors', `Device model ${device.modelId} has no sensor ${unknown.join(', ')}: its sensors are ${known}.`);
  }
  if (names.length === 0) throw badQuery('sensors', `Device model ${device.modelId} has no sensors to chart.`);
  if (names.length > SERIES_MAX_SENSORS) throw badQuery('sensors', `Ask for at most ${SERIES_MAX_SENSORS} sensors at a time (${names.length} asked for).`);
  return names.map((name) => ({ name, unit: device.sensors.get(name)! }));
}

function badQuery(name: string, message: string): HttpError {
  return new HttpError(400, message, {}, [{ path: `querystring/${name}`, message }]);
}

export default telemetry;
