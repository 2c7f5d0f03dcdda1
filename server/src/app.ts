import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { compileValidator, type Config } from '@servicetower/domain';
import configPlugin from './plugins/external/config.js';
import dbPlugin from './plugins/external/db.js';
import redisPlugin from './plugins/external/redis.js';
import authPlugin, { SESSION_COOKIE } from './plugins/app/auth.js';
import errorsPlugin from './plugins/app/errors.js';
import metricsPlugin from './plugins/app/metrics.js';
import referencesPlugin from './plugins/app/references.js';
import livePlugin from './plugins/app/live.js';
import rateLimitsPlugin from './plugins/app/rateLimits.js';
import securityHeadersPlugin from './plugins/app/securityHeaders.js';
import liveRoutes from './routes/api/v1/live.js';
import fleetRoutes from './routes/api/v1/fleet.js';
import healthRoutes from './routes/health.js';
import adminRoutes from './routes/api/v1/admin.js';
import adminUserRoutes from './routes/api/v1/admin/users.js';
import adminKeyRoutes from './routes/api/v1/admin/keys.js';
import adminWebhookRoutes from './routes/api/v1/admin/webhooks.js';
import adminAuditRoutes from './routes/api/v1/admin/audit.js';
import sessionRoutes from './routes/api/v1/session.js';
import ingestRoutes from './routes/api/v1/ingest.js';
import kpiRoutes from './routes/api/v1/kpi.js';
import briefingRoutes from './routes/api/v1/briefings.js';
import staffingRoutes from './routes/api/v1/staffing.js';
import rulRoutes from './routes/api/v1/rul.js';
import referenceRoutes from './routes/api/v1/reference.js';
import alarmRoutes from './routes/api/v1/alarms.js';
import telemetryRoutes from './routes/api/v1/telemetry.js';
import { ErrorBody } from './schemas.js';

const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Keys, passwords and cookies never reach the logs. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]', 'res.headers["set-cookie"]'];

export async function buildApp(config: Config, logger: FastifyServerOptions['logger'] = { level: config.LOG_LEVEL, redact: REDACT }) {
  const app = Fastify({ logger, trustProxy: trustProxy(config.TRUST_PROXY), ajv: undefined }).withTypeProvider<TypeBoxTypeProvider>();

  // Schemas are checked by the same validator as ingested records, with the same messages.
  app.setValidatorCompiler(({ schema: routeSchema, httpPart }) => {
    const schema = routeSchema as TSchema;
    const validator = compileValidator(schema);
    return (input: unknown) => {
      const value = httpPart === 'body' ? input : Value.Convert(schema, Value.Default(schema, input));
      if (validator.check(value)) return { value };
      return { error: validator.errors(value).map((e) => ({ instancePath: e.path, message: e.message })) as never };
    };
  });
  app.addSchema(ErrorBody);

  await app.register(configPlugin, { config });
  await app.register(errorsPlugin);
  await app.register(securityHeadersPlugin);
  await app.register(dbPlugin);
  await app.register(redisPlugin);
  await app.register(authPlugin);
  await app.register(rateLimitsPlugin);
  await app.register(referencesPlugin);
  await app.register(metricsPlugin);
  await app.register(livePlugin);
  await app.register(swagger, {
    // Shared schemas appear under their own $id in components.schemas.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      info: { title: 'ServiceTower API', version: '1' },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'st_… API key from `npm run admin -- create-key`' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'the dashboard’s sign-in cookie, set by POST /api/v1/session' },
        },
      },
    },
    // A signed-in user reaches every route a key does, within their role: the cookie is listed as the alternative.
    transform: ({ schema, url }) => ({
      schema: schema.security?.some((s) => 'apiKey' in s) ? { ...schema, security: [...schema.security, { session: [] }] } : schema,
      url,
    }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes);
  await app.register(ingestRoutes, { prefix: '/api/v1/ingest' });
  await app.register(referenceRoutes, { prefix: '/api/v1' });
  await app.register(sessionRoutes, { prefix: '/api/v1' });
  await app.register(adminRoutes, { prefix: '/api/v1/admin' });
  await app.register(adminUserRoutes, { prefix: '/api/v1/admin' });
  await app.register(adminKeyRoutes, { prefix: '/api/v1/admin' });
  await app.register(adminWebhookRoutes, { prefix: '/api/v1/admin' });
  await app.register(adminAuditRoutes, { prefix: '/api/v1/admin' });
  await app.register(kpiRoutes, { prefix: '/api/v1/kpi' });
  await app.register(briefingRoutes, { prefix: '/api/v1/briefings' });
  await app.register(staffingRoutes, { prefix: '/api/v1/kpi' });
  await app.register(rulRoutes, { prefix: '/api/v1' });
  await app.register(liveRoutes, { prefix: '/api/v1' });
  await app.register(fleetRoutes, { prefix: '/api/v1' });
  await app.register(alarmRoutes, { prefix: '/api/v1' });
  await app.register(telemetryRoutes, { prefix: '/api/v1' });
  await registerWeb(app, config.WEB_DIST || DEFAULT_WEB_DIST);
  return app;
}

/** TRUST_PROXY as Fastify takes it: true, false, or the addresses and ranges whose X-Forwarded-* headers count. */
function trustProxy(setting: string): boolean | string {
  if (setting === 'on') return true;
  if (setting === 'off') return false;
  return setting;
}

/** The dashboard, built by `npm run build:web`; a short note when it has not been built. */
async function registerWeb(app: FastifyInstance, root: string) {
  if (existsSync(root)) {
    await app.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: ['index.html'] });
    return;
  }
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/plain').send(`The dashboard is not built (${root} is missing): run npm run build:web, or npm start.\n`),
  );
}
