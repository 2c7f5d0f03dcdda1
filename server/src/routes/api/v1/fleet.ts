import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { FleetDevice, HEALTH, StringEnum } from '@servicetower/domain';
import { listFleet } from '../../../repositories/fleet.js';
import { errorResponses } from '../../../schemas.js';

/**
 * `GET /api/v1/devices`: the devices collection of the reference data, each with its health. The other
 * device routes (PUT, GET one, CSV import) are the reference routes'.
 */
const fleet: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/devices',
    {
      preParsing: app.requireScope('reference', 'read'),
      schema: {
        tags: ['reference', 'telemetry'],
        summary: 'List devices in id order, with health, last report, unresolved alarms and remaining useful life',
        description:
          'health: critical with an unresolved critical alarm or at most RUL_CRITICAL_CYCLES cycles left, warning with an unresolved ' +
          'warning alarm or at most RUL_WARNING_CYCLES left, else ok. A region-scoped key lists only its regions.',
        security: [{ apiKey: [] }],
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          after: Type.Optional(Type.String({ description: 'the `next` of the previous page' })),
          region: Type.Optional(Type.String({ minLength: 1 })),
          model: Type.Optional(Type.String({ minLength: 1, description: 'device model id' })),
          health: Type.Optional(StringEnum(HEALTH)),
        }),
        response: { 200: Type.Object({ items: Type.Array(FleetDevice), next: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { limit, after, region, model, health } = request.query;
      const items = await listFleet(app.db, {
        regions: request.principal!.regions, region: region ?? null, model: model ?? null, health: health ?? null, after: after ?? null, limit,
        rulLimits: { warning: app.config.RUL_WARNING_CYCLES, critical: app.config.RUL_CRITICAL_CYCLES },
      });
      return { items, next: items.length === limit ? items.at(-1)!.id : null };
    },
  );
};

export default fleet;
