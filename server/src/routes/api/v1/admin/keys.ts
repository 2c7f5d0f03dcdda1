import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiKeyInfo, CreatedApiKey, NewApiKey } from '@servicetower/domain';
import { inTransaction } from '@servicetower/workers';
import { actorOf } from '../../../../auth/principal.js';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKey } from '../../../../repositories/apiKeys.js';
import { writeAudit } from '../../../../repositories/audit.js';
import { errorResponses } from '../../../../schemas.js';
import { checkAdminRegions, checkRegions, common } from './common.js';

const toInfo = (key: ApiKey): ApiKeyInfo => ({
  id: key.id, name: key.name, scopes: key.scopes, regions: key.regions, createdAt: key.createdAt.toISOString(), revokedAt: key.revokedAt?.toISOString() ?? null,
});

/** API keys, as `npm run admin -- create-key | list-keys | revoke-key` manage them, for admins in the dashboard. */
const keys: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preParsing', app.requireScope('admin'));

  app.get('/keys', {
    schema: { ...common, summary: 'API keys, revoked ones included, oldest first; never their secrets', response: { 200: Type.Object({ items: Type.Array(ApiKeyInfo) }), ...errorResponses(401, 403) } },
  }, async () => ({ items: (await listApiKeys(app.db)).map(toInfo) }));

  app.post('/keys', {
    schema: {
      ...common,
      summary: 'Create an API key; the answer holds its token, the only time it is shown',
      body: NewApiKey,
      response: { 201: CreatedApiKey, ...errorResponses(400, 401, 403, 422) },
    },
  }, async (request, reply) => {
    const { name, scopes, regions } = request.body;
    checkAdminRegions({ scopes }, regions);
    await checkRegions(app, regions);
    const { key, token } = await inTransaction(app.db, async (db) => {
      const created = await createApiKey(db, { name, scopes, regions: regions ?? null });
      await writeAudit(db, actorOf(request.principal!), 'key.create', `key:${created.key.id}`, { name, scopes, regions: created.key.regions });
      return created;
    });
    return reply.code(201).send({ key: toInfo(key), token });
  });

  app.delete('/keys/:id', {
    schema: {
      ...common,
      summary: 'Revoke an API key: refused from the next request on, and its open WebSockets closed',
      params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{12}$', description: 'the key id, the part after st_ in the token' }) }),
      response: { 204: Type.Null({ description: 'revoked' }), ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const revoked = await inTransaction(app.db, async (db) => {
      const done = await revokeApiKey(db, id);
      if (done) await writeAudit(db, actorOf(request.principal!), 'key.revoke', `key:${id}`);
      return done;
    });
    if (!revoked) throw app.httpErrors.notFound(`No active API key ${id}: list them with GET /api/v1/admin/keys.`);
    app.recheckLive(); // its open WebSockets close now, not at the next periodic check
    return reply.code(204).send(null);
  });
};

export default keys;
