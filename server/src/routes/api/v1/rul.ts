import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DeviceRul, ENGINE_DEVICE_MODEL_ID } from '@servicetower/domain';
import { readDeviceRul } from '@servicetower/workers';
import { errorResponses } from '../../../schemas.js';

/** DESIGN.md §6: an engine's remaining useful life, as the workers last estimated it from its flights. */
const rulRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/devices/:id/rul',
    {
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        tags: ['telemetry'],
        security: [{ apiKey: [] }],
        summary: 'Remaining useful life of an engine, in flight cycles, refreshed as its flights arrive',
        description:
          `For devices of model ${ENGINE_DEVICE_MODEL_ID}: boosted regression trees trained on NASA C-MAPSS FD001 run-to-failure ` +
          'history score the engine’s flights (one telemetry sample per flight, with its `cycle` number and sensors s1…s21).',
        params: Type.Object({ id: Type.String({ minLength: 1 }) }),
        response: { 200: DeviceRul, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const row = await readDeviceRul(app.db, id, request.principal!.regions);
      if (!row) throw app.httpErrors.notFound(`No device "${id}" (within this API key's regions): check the id with GET /api/v1/devices.`);
      if (row.device_model_id !== ENGINE_DEVICE_MODEL_ID) {
        throw app.httpErrors.notFound(`Device "${id}" is of model ${row.device_model_id}, not an engine (${ENGINE_DEVICE_MODEL_ID}): only engines get a remaining-life estimate.`);
      }
      if (row.rul_cycles === null || row.model_id === null || row.last_reading_at === null || row.computed_at === null || row.cycles_flown === null) {
        throw app.httpErrors.notFound(`Engine "${id}" has no remaining-life estimate yet: it comes a moment after its flights (telemetry with a cycle number) are ingested.`);
      }
      return {
        deviceId: row.device_id,
        cyclesFlown: row.cycles_flown,
        rulCycles: row.rul_cycles,
        modelId: row.model_id,
        lastReadingAt: row.last_reading_at.toISOString(),
        computedAt: row.computed_at.toISOString(),
      };
    },
  );
};

export default rulRoutes;
