import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { briefingWebhooks, NewWebhook, Webhook } from '@servicetower/domain';
import { inTransaction } from '@servicetower/workers';
import { actorOf } from '../../../../auth/principal.js';
import { writeAudit } from '../../../../repositories/audit.js';
import { addWebhook, listWebhooks, removeWebhook } from '../../../../repositories/webhooks.js';
import { errorResponses } from '../../../../schemas.js';
import { common, NumericId } from './common.js';

/** The receivers of the daily briefing that admins manage, beside the fixed ones of BRIEFING_WEBHOOKS. */
const webhooks: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preParsing', app.requireScope('admin'));

  app.get('/webhooks', {
    schema: {
      ...common,
      summary: 'Briefing webhooks: those added here, and those of the BRIEFING_WEBHOOKS setting (changed only there)',
      response: { 200: Type.Object({ items: Type.Array(Webhook), fromSettings: Type.Array(Type.String()) }), ...errorResponses(401, 403) },
    },
  }, async () => ({ items: await listWebhooks(app.db), fromSettings: briefingWebhooks(app.config.BRIEFING_WEBHOOKS) }));

  app.post('/webhooks', {
    schema: {
      ...common,
      summary: 'Add a URL that receives each daily briefing as JSON, from the next briefing on',
      body: NewWebhook,
      response: { 201: Webhook, ...errorResponses(400, 401, 403, 409) },
    },
  }, async (request, reply) => {
    const { url } = request.body;
    if (!URL.canParse(url)) throw app.httpErrors.badRequest(`${url} is not a URL: give one such as https://chat.example.com/hooks/briefing.`);
    const principal = request.principal!;
    const webhook = await inTransaction(app.db, async (db) => {
      const added = await addWebhook(db, url, principal.name);
      if (added) await writeAudit(db, actorOf(principal), 'webhook.add', `webhook:${added.id}`, { url });
      return added;
    });
    if (!webhook) throw app.httpErrors.conflict(`${url} already receives the briefing.`);
    return reply.code(201).send(webhook);
  });

  app.delete('/webhooks/:id', {
    schema: {
      ...common,
      summary: 'Remove a briefing webhook; deliveries already queued still go out',
      params: NumericId('webhook'),
      response: { 204: Type.Null({ description: 'removed' }), ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const removed = await inTransaction(app.db, async (db) => {
      const gone = await removeWebhook(db, id);
      if (gone) await writeAudit(db, actorOf(request.principal!), 'webhook.remove', `webhook:${id}`, { url: gone.url });
      return gone;
    });
    if (!removed) throw app.httpErrors.notFound(`No webhook ${id}: list them with GET /api/v1/admin/webhooks.`);
    return reply.code(204).send(null);
  });
};

export default webhooks;
