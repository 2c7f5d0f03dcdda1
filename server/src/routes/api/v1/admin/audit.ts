import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AuditEntry } from '@servicetower/domain';
import { listAudit } from '../../../../repositories/audit.js';
import { errorResponses } from '../../../../schemas.js';
import { common } from './common.js';

/** The audit log: who changed users, keys and webhooks, and when. */
const audit: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preParsing', app.requireScope('admin'));

  app.get('/audit', {
    schema: {
      ...common,
      summary: 'Admin actions, newest first',
      querystring: Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'an entry id: the entries before it (the next page)' })),
      }),
      response: { 200: Type.Object({ items: Type.Array(AuditEntry) }), ...errorResponses(400, 401, 403) },
    },
  }, async (request) => ({ items: await listAudit(app.db, request.query.limit, request.query.before ?? null) }));
};

export default audit;
