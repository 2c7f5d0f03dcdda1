import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Url = (protocols: string[], description: string) =>
  Type.String({ pattern: `^(${protocols.join('|')})://`, description });

/** Every setting, read from the environment. Server, workers and tools share this one schema. */
export const ConfigSchema = Type.Object({
  DATABASE_URL: Url(['postgres', 'postgresql'], 'PostgreSQL connection URL, e.g. postgres://user@127.0.0.1:5432/servicetower'),
  REDIS_URL: Url(['redis', 'rediss'], 'Redis connection URL, e.g. redis://127.0.0.1:6379'),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  HOST: Type.String({ default: '127.0.0.1' }),
  BUSINESS_TIMEZONE: Type.String({ default: 'UTC', description: 'IANA time zone of the business, e.g. Asia/Shanghai' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  DEMO: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'off' }),
  QUEUE_PREFIX: Type.String({ default: 'st', pattern: '^[A-Za-z0-9_-]+$' }),
  INGEST_JSON_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 16 * 1024 * 1024 }),
  INGEST_STREAM_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 2 * 1024 * 1024 * 1024 }),
  INGEST_MAX_RECORDS: Type.Integer({ minimum: 1, default: 10000, description: 'records in one JSON array body' }),
  INGEST_JOB_READINGS: Type.Integer({ minimum: 1, default: 5000, description: 'telemetry readings per queued job' }),
  INGEST_JOB_EVENTS: Type.Integer({ minimum: 1, default: 2000, description: 'events per queued job' }),
  QUEUE_HIGH_WATER: Type.Integer({ minimum: 1, default: 2000, description: 'waiting jobs per queue before ingestion answers 429' }),
  IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 60, default: 86400 }),
  WORKER_CONCURRENCY: Type.Integer({ minimum: 1, default: 2 }),
  WORKER_LOCK_MS: Type.Integer({ minimum: 1000, default: 30000, description: 'how long a job may run silently before another worker takes it over' }),
  WORKER_METRICS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9464 }),
  READING_RETENTION_DAYS: Type.Integer({ minimum: 1, default: 730 }),
  OPERATING_MAX_GAP_MINUTES: Type.Integer({ minimum: 10, maximum: 1440, default: 60, description: 'two readings of a device at most this many minutes apart (at least 10, the rollup bucket) count as operating time in between; a longer gap counts as switched off' }),
  PARTITIONS_AHEAD: Type.Integer({ minimum: 1, default: 3, description: 'time partitions created ahead on plain PostgreSQL' }),
  RUL_WARNING_CYCLES: Type.Number({ minimum: 0, default: 50, description: 'an engine with at most this many cycles of remaining useful life is in warning health' }),
  RUL_CRITICAL_CYCLES: Type.Number({ minimum: 0, default: 20, description: 'an engine with at most this many cycles of remaining useful life is in critical health' }),
  LIVE_THROTTLE_MS: Type.Integer({ minimum: 10, default: 250, description: 'at most one live message per device and client this often, in milliseconds' }),
  LIVE_RECHECK_MS: Type.Integer({ minimum: 100, default: 2000, description: 'open WebSockets have their API key or sign-in checked again this often, in milliseconds; a revoked key, ended sign-in or changed role or regions closes the socket' }),
  WEB_DIST: Type.String({ default: '', description: 'folder of the built dashboard; empty: web/dist beside the server' }),
  TARGET_ORDERS_PER_TECHNICIAN: Type.Number({ exclusiveMinimum: 0, default: 60, description: 'orders a technician is expected to handle in a month (staffing recommendation)' }),
  STAFFING_NEW_OUTLET_RATIO: Type.Number({ exclusiveMinimum: 0, default: 1.5, description: 'a region whose orders per outlet reach this multiple of the network average is flagged for a new outlet' }),
  STAFFING_CONSOLIDATE_RATIO: Type.Number({ exclusiveMinimum: 0, default: 0.5, description: 'an outlet whose orders are at most this multiple of the network average per outlet is flagged for consolidation' }),
  SUPPLY_TARGET_HQ_STOCK_DAYS: Type.Number({ exclusiveMinimum: 0, default: 7, description: 'supply-cycle target for parts stocked at headquarters, days' }),
  SUPPLY_TARGET_HQ_PROCURED_DAYS: Type.Number({ exclusiveMinimum: 0, default: 4, description: 'supply-cycle target for parts headquarters procures, days' }),
  BRIEFING_LOCAL_TIME: Type.String({ default: '07:00', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'local time (HH:MM, business time zone) the daily briefing is written' }),
  BRIEFING_WEBHOOKS: Type.String({ default: '', description: 'comma-separated URLs that receive each briefing as JSON' }),
  BRIEFING_WEBHOOK_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 5, description: 'delivery attempts per webhook and briefing before it is left failed' }),
  BRIEFING_RETRY_DELAY_MS: Type.Integer({ minimum: 1, default: 60_000, description: 'first wait before retrying a failed webhook delivery, doubled at each retry' }),
  BRIEFING_WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000, description: 'how long a webhook may take to answer before the attempt counts as failed' }),
  SESSION_TTL_HOURS: Type.Number({ exclusiveMinimum: 0, default: 12, description: 'a dashboard sign-in ends after this many hours without a request' }),
  SESSION_COOKIE_SECURE: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'off', description: 'on: the sign-in cookie is sent over HTTPS only (set it whenever the dashboard is served over HTTPS)' }),
  RATE_LIMIT_KEY_PER_MINUTE: Type.Integer({ minimum: 0, default: 60_000, description: 'requests a minute one API key or one signed-in session may make before the API answers 429 (0: no limit)' }),
  RATE_LIMIT_ADDRESS_PER_MINUTE: Type.Integer({ minimum: 0, default: 6000, description: 'requests a minute one client address may make without an API key or session, e.g. for the dashboard files and sign-in (0: no limit)' }),
  RATE_LIMIT_SIGN_IN_PER_MINUTE: Type.Integer({ minimum: 0, default: 10, description: 'failed sign-ins a minute from one client address; past it, sign-in answers 429 until the minute is over (0: no limit)' }),
  TRUST_PROXY: Type.String({
    default: 'loopback,linklocal,uniquelocal',
    pattern: '^(on|off|[A-Za-z0-9.:/]+( *, *[A-Za-z0-9.:/]+)*)$',
    description: 'which peers may set X-Forwarded-For/-Host/-Proto: on (any), off (none), or comma-separated addresses, CIDR ranges and loopback, linklocal, uniquelocal',
  }),
  CMAPSS_DIR: Type.String({ default: '../shared/data/cmapss', minLength: 1, description: 'folder of the NASA C-MAPSS files the RUL model is trained from (train_FD001.txt), relative to the repository root' }),
});
export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {}

/**
 * Reads the settings from an environment map. A missing or bad value throws a
 * ConfigError that names the variable and says what it should look like.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(ConfigSchema.properties) as [string, TSchema][]) {
    const text = env[name];
    if (text === undefined || text === '') {
      if (schema.default === undefined) problems.push(`${name} is not set: ${String(schema.description ?? 'required')}`);
      continue;
    }
    const value = Value.Convert(schema, text);
    if (!Value.Check(schema, value)) {
      problems.push(`${name}=${JSON.stringify(text)} is not valid: ${expectation(schema)}`);
      continue;
    }
    raw[name] = value;
  }
  if (raw.BUSINESS_TIMEZONE !== undefined && !isTimeZone(String(raw.BUSINESS_TIMEZONE))) {
    problems.push(`BUSINESS_TIMEZONE=${JSON.stringify(raw.BUSINESS_TIMEZONE)} is not an IANA time zone such as Asia/Shanghai or UTC`);
  }
  if (problems.length > 0) throw new ConfigError(`Configuration error:\n  ${problems.join('\n  ')}`);
  return Value.Default(ConfigSchema, raw) as Config;
}

function expectation(schema: TSchema): string {
  if (schema.description) return String(schema.description);
  if (schema.type === 'integer') {
    const range = [schema.minimum !== undefined ? `≥ ${String(schema.minimum)}` : '', schema.maximum !== undefined ? `≤ ${String(schema.maximum)}` : '']
      .filter(Boolean)
      .join(' and ');
    return `expected a whole number${range ? ` ${range}` : ''}`;
  }
  if (Array.isArray(schema.anyOf)) return `expected one of ${schema.anyOf.map((s: TSchema) => String(s.const)).join(', ')}`;
  if (schema.pattern) return `expected text matching ${String(schema.pattern)}`;
  return 'unexpected value';
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
