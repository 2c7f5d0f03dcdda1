// Hostile input against every route of the OpenAPI document (a route added later is covered without
// changing this file): malformed and wrong-typed bodies, NaN and Infinity as tokens and as text, huge
// numbers and strings, deep nesting, bodies past the limit, invalid UTF-8, impossible dates and offsets,
// SQL, script and formula injection in every parameter and field, hostile CSV and NDJSON. Every answer
// must be a 4xx saying what is wrong (naming the field when one field is at fault) or a success that
// stores exactly what was sent; never a 5xx, never a failed job, nothing else in the database, and the
// process's memory stays put over repeated runs.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileValidator, countReadings, STREAMS, type StreamName } from '@servicetower/domain';
import { invalidValues, valid } from './support/arbitraries.js';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';
import { ingestionFailures } from './support/queues.js';
import { describeValue, HOSTILE_TEXT, HOSTILE_VALUES, hostileBodies, hostileCsv, jsonWith } from './support/hostile.js';
import { openApiOperations, type JsonSchema, type Operation } from './support/routes.js';
import { sampleParameter, SENSIBLE, streamOf } from './support/samples.js';
import { rowCounts, storedDifferences, type RowCounts } from './support/stored.js';
import { createTestUser } from './support/users.js';

const LIMIT = 1024 * 1024;
const MB = 1024 * 1024;

let h: Harness;
let operations: Operation[];
let userId: string;
beforeAll(async () => {
  h = await startHarness({
    workers: true,
    env: {
      INGEST_JSON_LIMIT_BYTES: String(LIMIT),
      // Only validation is under test here: the limits have their own test (security.limits).
      RATE_LIMIT_KEY_PER_MINUTE: '0',
      RATE_LIMIT_ADDRESS_PER_MINUTE: '0',
      RATE_LIMIT_SIGN_IN_PER_MINUTE: '0',
    },
  });
  await seedReference(h.app, h.adminKey);
  userId = (await createTestUser(h, 'hostile-target', 'viewer')).id;
  operations = await openApiOperations(h.app);
}, 120_000);
afterAll(() => h?.close());

const encode = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80'; // an unpaired surrogate has no UTF-8: send the bytes a careless encoder makes
  }
};

interface Call {
  params?: Record<string, string>;
  /** Already encoded. */
  rawParams?: Record<string, string>;
  query?: Record<string, string>;
  rawQuery?: string;
  payload?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A body the route takes, sent with parameter mutations so that the parameter is the only fault. */
function defaultBody(operation: Operation): Pick<Call, 'payload' | 'contentType'> {
  if (!operation.body) return {};
  const stream = streamOf(operation);
  if (stream) return { payload: JSON.stringify([BASE[stream]()]), contentType: 'application/json' };
  if (operation.body['application/json']) {
    const base = fc.sample(valid(operation.body['application/json'], { overrides: SENSIBLE }), { numRuns: 1, seed: 42 })[0];
    return { payload: JSON.stringify(base), contentType: 'application/json' };
  }
  if (operation.body['text/csv']) return { payload: 'id,name\nhx-import,Imported\n', contentType: 'text/csv' };
  return {};
}

function request(operation: Operation, call: Call, token = h.adminKey): InjectOptions {
  if (call.payload === undefined) call = { ...defaultBody(operation), ...call };
  const params: Record<string, string> = {};
  const query: Record<string, string> = {};
  for (const parameter of operation.parameters) {
    if (parameter.in === 'path') params[parameter.name] = encode(sampleParameter(operation, parameter.name, parameter.schema, { ids: { user: userId } }));
    if (parameter.in === 'query' && parameter.required) query[parameter.name] = sampleParameter(operation, parameter.name, parameter.schema, { ids: { user: userId } });
  }
  Object.assign(query, call.query);
  for (const [name, value] of Object.entries(call.params ?? {})) params[name] = encode(value);
  Object.assign(params, call.rawParams);
  const path = operation.url.replace(/:([A-Za-z]+)/g, (_m, name: string) => params[name] ?? 'x');
  const search = [...Object.entries(query).map(([name, value]) => `${encode(name)}=${encode(value)}`), ...(call.rawQuery ? [call.rawQuery] : [])].join('&');
  const headers: Record<string, string> = { ...bearer(token), ...call.headers };
  if (call.contentType !== undefined) {
    if (call.contentType === '') delete headers['content-type'];
    else headers['content-type'] = call.contentType;
  }
  return {
    method: operation.method as InjectOptions['method'],
    url: `${path}${search ? `?${search}` : ''}`,
    headers,
    ...(call.payload === undefined ? {} : { payload: call.payload }),
  };
}

interface Outcome {
  requests: number;
  problems: string[];
  /** Records ingestion accepted, to be found stored exactly. */
  accepted: Record<StreamName, Array<Record<string, unknown>>>;
  /** Routes that answered 2xx to hostile input, with what they took. */
  successes: number;
}

type Body = { message?: unknown; errors?: Array<{ path: string; message: string }>; rejected?: Array<{ errors: Array<{ path: string; message: string }> }> };

/** Whether an error answer names `field` in its message or in one of its listed errors. */
function names(body: Body, field: string): boolean {
  const paths = [...(body.errors ?? []), ...(body.rejected ?? []).flatMap((r) => r.errors)].map((e) => `${e.path} ${e.message}`);
  return (typeof body.message === 'string' && body.message.includes(field)) || paths.some((p) => p.includes(field));
}

/**
 * A body refused as a whole: not JSON at all (a NaN token) or holding a __proto__ key, which Fastify's parser
 * refuses before any field is looked at. Its message says so rather than naming a field.
 */
function refusedWhole(status: number, body: Body): boolean {
  return status === 400 && typeof body.message === 'string' && /not valid JSON|prototype/i.test(body.message);
}

let counter = 0;
const nextId = () => `hx-${Date.now().toString(36)}-${(counter++).toString(36)}`;
let second = 0;
const nextTime = () => new Date(Date.UTC(2026, 0, 20) + (second++) * 1000).toISOString();

/** A valid record of each stream, within the seeded network, with a fresh event id (or reading time). */
const BASE: Record<StreamName, () => Record<string, unknown>> = {
  'service-orders': () => ({
    eventId: nextId(), orderId: 'hx-order', type: 'created', at: '2026-01-05T10:00:00+08:00', outletId: 'bj-01', productLine: 'tv',
    technicianId: 'tech-1', customerId: 'cust-1', deviceId: 'eng-1', channel: 'web', laborCost: 12.5, note: 'plain',
  }),
  parts: () => ({
    eventId: nextId(), requestId: 'hx-request', type: 'requested', at: '2026-01-05T10:00:00Z', outletId: 'bj-01', partNo: 'P-100',
    quantity: 2, source: 'hq_stock', orderId: 'hx-order', unitCost: 3.25,
  }),
  complaints: () => ({
    eventId: nextId(), complaintId: 'hx-complaint', at: '2026-01-06T10:00:00Z', outletId: 'bj-01', productLine: 'tv', cause: 'other',
    orderId: 'hx-order', channel: 'web', severity: 'low',
  }),
  telemetry: () => ({ deviceId: 'eng-1', readings: [{ at: nextTime(), values: { s2: 642.5 } }] }),
};

/** Where in a record a hostile value goes: each field, and for telemetry the inside of a sample too. */
function placements(stream: StreamName): Array<{ path: string; put: (record: Record<string, unknown>, value: unknown) => Record<string, unknown>; schema: JsonSchema }> {
  const schema = STREAMS[stream].schema as unknown as JsonSchema;
  const fields = Object.entries(schema.properties!).map(([name, property]) => ({
    path: `/${name}`, schema: property, put: (record: Record<string, unknown>, value: unknown) => ({ ...record, [name]: value }),
  }));
  if (stream !== 'telemetry') return fields;
  const sample = (schema.properties!.readings!.items!) as JsonSchema;
  const inSample = (change: (s: Record<string, unknown>, value: unknown) => Record<string, unknown>) => (record: Record<string, unknown>, value: unknown) => ({
    ...record, readings: [change((record.readings as Array<Record<string, unknown>>)[0]!, value)],
  });
  return [
    ...fields,
    { path: '/readings/0/at', schema: sample.properties!.at!, put: inSample((s, value) => ({ ...s, at: value })) },
    { path: '/readings/0/values', schema: sample.properties!.values!, put: inSample((s, value) => ({ ...s, values: value })) },
    { path: '/readings/0/values/s2', schema: { type: 'number' }, put: inSample((s, value) => ({ ...s, values: { s2: value } })) },
    { path: '/readings/0/values/', schema: { type: 'number' }, put: inSample((s, value) => ({ ...s, values: typeof value === 'string' ? { [value]: 1 } : { s2: 1 } })) },
  ];
}

/** What the server sees of a JSON text: JSON.parse, as Fastify's parser does (it refuses __proto__ first). */
function parsed(text: string): unknown {
  return JSON.parse(text) as unknown;
}

async function runCorpus(): Promise<Outcome> {
  const outcome: Outcome = { requests: 0, problems: [], accepted: { 'service-orders': [], parts: [], complaints: [], telemetry: [] }, successes: 0 };
  const send = async (operation: Operation, call: Call, what: string, field?: string, baseline?: string): Promise<LightMyRequestResponse> => {
    outcome.requests += 1;
    const options = request(operation, call);
    const response = await h.app.inject(options);
    const where = `${operation.name} ${what}`;
    if (response.statusCode >= 500) {
      outcome.problems.push(`${where}: ${response.statusCode} ${response.body.slice(0, 300)}`);
    } else if (response.statusCode >= 400) {
      let body: Body;
      try {
        body = response.json();
      } catch {
        outcome.problems.push(`${where}: ${response.statusCode} is not JSON: ${response.body.slice(0, 200)}`);
        return response;
      }
      const said = typeof body.message === 'string' && body.message.length > 0;
      const listed = (body.rejected ?? []).length > 0 && body.rejected!.every((r) => r.errors.every((e) => e.message.length > 0));
      if (!said && !listed) outcome.problems.push(`${where}: ${response.statusCode} without a message: ${response.body.slice(0, 200)}`);
      else if (field && (response.statusCode === 400 || response.statusCode === 422) && response.body !== baseline && !names(body, field) && !refusedWhole(response.statusCode, body)) {
        outcome.problems.push(`${where}: ${response.statusCode} does not name ${field}: ${response.body.slice(0, 300)}`);
      }
    } else {
      outcome.successes += 1;
      const stream = streamOf(operation);
      if (stream && response.statusCode === 202) accepted(stream, options, response, where);
      if (operation.method === 'PUT' && response.statusCode === 200) storedAsSent(options, response, where);
    }
    return response;
  };

  /** A PUT answers the item as stored: every field as sent (amounts and day targets to the hundredth). */
  const storedAsSent = (sent: InjectOptions, response: LightMyRequestResponse, where: string) => {
    const body = parsed(String(sent.payload)) as Record<string, unknown>;
    const stored = response.json() as Record<string, unknown>;
    for (const [field, value] of Object.entries(body)) {
      const kept = stored[field];
      const same = typeof value === 'number' && ['unitCost', 'targetDays'].includes(field)
        ? typeof kept === 'number' && Math.abs(kept - value) <= 0.005 + 1e-9 * Math.abs(value)
        : JSON.stringify(kept) === JSON.stringify(value);
      if (!same) outcome.problems.push(`${where}: ${field} stored as ${describeValue(kept)}, sent ${describeValue(value)}`);
    }
  };

  /** Records an ingestion route took: each must be one its schema allows, and is looked for in the database later. */
  const accepted = (stream: StreamName, sent: InjectOptions, response: LightMyRequestResponse, where: string) => {
    const type = String((sent.headers as Record<string, string>)['content-type'] ?? '');
    if (!type.startsWith('application/json')) {
      outcome.problems.push(`${where}: took hostile ${type} (the corpus holds no valid record of it)`);
      return;
    }
    const validator = compileValidator(STREAMS[stream].schema);
    const records = (parsed(String(sent.payload)) as Array<Record<string, unknown>>).filter((record) => validator.check(record));
    const taken = (response.json() as { accepted: number }).accepted;
    // The same validator decides on both sides, bar references: the answer takes no record the schema refuses.
    if (taken > records.length) outcome.problems.push(`${where}: took ${taken} records, of which only ${records.length} are valid`);
    outcome.accepted[stream].push(...records.slice(0, taken));
  };

  for (const operation of operations) {
    // The answer to the route's own sample request: a parameter mutation answered the same way was refused for
    // the sample body's sake (a generated alarm rule's params, a sensor range), not the parameter's.
    const sample = (await send(operation, {}, 'sample request')).body;
    // Path and query parameters.
    for (const parameter of operation.parameters.filter((p) => p.in === 'path' || p.in === 'query')) {
      for (const value of HOSTILE_TEXT) {
        const call: Call = parameter.in === 'path' ? { params: { [parameter.name]: value } } : { query: { [parameter.name]: value } };
        await send(operation, call, `${parameter.in} ${parameter.name}=${describeValue(value)}`, parameter.name, sample);
      }
      if (parameter.in === 'path') {
        for (const raw of ['%ff', '%', '%00', '..', '%2e%2e', '%2F', 'a%2Fb']) await send(operation, { rawParams: { [parameter.name]: raw } }, `path ${parameter.name} raw ${raw}`, parameter.name, sample);
      } else {
        await send(operation, { rawQuery: `${parameter.name}=a&${parameter.name}=b` }, `query ${parameter.name} twice`, parameter.name, sample);
        await send(operation, { rawQuery: `${parameter.name}=%ff%fe` }, `query ${parameter.name} invalid UTF-8`, parameter.name, sample);
        await send(operation, { rawQuery: `${parameter.name}[$ne]=1` }, `query ${parameter.name}[$ne]`);
      }
    }
    await send(operation, { rawQuery: '__proto__[polluted]=1&constructor[prototype][polluted]=1' }, 'query __proto__');
    if (operation.method === 'GET') {
      await send(operation, { headers: { accept: 'text/csv' } }, 'Accept: text/csv');
      await send(operation, { headers: { accept: '*/*;q=ab, text/csv;;;' } }, 'a garbled Accept');
    }
    if (!operation.body) continue;

    // Whole bodies of every declared content type.
    for (const [type] of Object.entries(operation.body)) {
      for (const body of hostileBodies(operation.url.startsWith('/api/v1/ingest/') ? LIMIT : MB)) {
        await send(operation, { payload: body.payload, contentType: body.contentType ?? type }, `body (${type}) ${body.name}`);
      }
      if (type === 'text/csv') {
        const header = (streamOf(operation) ? Object.keys(STREAMS[streamOf(operation)!].schema.properties) : ['id', 'name', 'regionId']).join(',');
        for (const body of hostileCsv(header, LIMIT)) await send(operation, { payload: body.payload, contentType: type }, `CSV ${body.name}`);
      }
      if (type === 'application/x-ndjson') {
        const lines = HOSTILE_VALUES.map((value) => jsonWith(value)).join('\n');
        await send(operation, { payload: lines, contentType: type }, 'NDJSON of hostile values');
        await send(operation, { payload: Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('{"b":')]), contentType: type }, 'NDJSON with invalid UTF-8');
        await send(operation, { payload: `{"a":"${'x'.repeat(LIMIT + 1)}"}\n`, contentType: type }, 'NDJSON line past the limit');
      }
    }

    // One hostile value in one field of an otherwise valid body.
    const stream = streamOf(operation);
    if (stream) {
      for (const { path, put, schema } of placements(stream)) {
        for (const value of [...HOSTILE_VALUES, ...invalidValues(schema)]) {
          const text = jsonWith([put(BASE[stream](), value)]);
          await send(operation, { payload: text, contentType: 'application/json' }, `field ${path}=${describeValue(value)}`, path);
        }
      }
    } else if (operation.body['application/json']) {
      const schema = operation.body['application/json'];
      const base = fc.sample(valid(schema, { overrides: SENSIBLE }), { numRuns: 1, seed: 42 })[0] as Record<string, unknown>;
      // When the generated body is refused for a reason of its own (a rule across fields, a name taken), a
      // mutation that leaves that answer unchanged is not the mutated field's fault.
      const baseline = (await send(operation, { payload: JSON.stringify(base), contentType: 'application/json' }, 'generated body')).body;
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        for (const value of [...HOSTILE_VALUES, ...invalidValues(property)]) {
          const payload = jsonWith({ ...base, [name]: value });
          await send(operation, { payload, contentType: 'application/json' }, `field ${name}=${describeValue(value)}`, name, baseline);
        }
      }
    }
  }
  return outcome;
}

/** Ingestion jobs that failed or wait to be retried. (Briefing deliveries to the webhooks the corpus added fail, as they should: nothing answers there.) */
const drainedWithoutFailures = () => ingestionFailures(h);

function gc() {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('hostile input on every route', () => {
  let before: RowCounts;
  let first: Outcome;

  it('is answered with a 4xx that says what is wrong (naming the field), or taken exactly; never a 5xx', async () => {
    before = await rowCounts(h.pool);
    first = await runCorpus();
    console.log(`hostile corpus: ${first.requests} requests over ${operations.length} operations, ${first.successes} answered 2xx`);
    expect(first.problems).toEqual([]);
    expect(first.requests).toBeGreaterThan(5000);
  }, 600_000);

  it('stores nothing invalid: no failed job, no row beyond what was accepted, and what was accepted is stored exactly', async () => {
    expect(await drainedWithoutFailures()).toEqual([]);
    const after = await rowCounts(h.pool);
    const eventIds = (stream: StreamName) => new Set(first.accepted[stream].map((r) => r.eventId)).size;
    expect(after.service_order_event - before.service_order_event).toBe(eventIds('service-orders'));
    expect(after.parts_request_event - before.parts_request_event).toBe(eventIds('parts'));
    expect(after.complaint - before.complaint).toBe(eventIds('complaints'));
    expect(after.reading - before.reading).toBe(first.accepted.telemetry.reduce((n, r) => n + countReadings(r as never), 0));
    for (const stream of Object.keys(first.accepted) as StreamName[]) {
      expect(await storedDifferences(h.pool, stream, first.accepted[stream])).toEqual([]);
    }
    // Reference data, users, keys and webhooks: only what a 2xx answer said it took (hx- ids and hostile names).
    const { rows } = await h.pool.query<{ n: string }>(`SELECT count(*) AS n FROM region WHERE region_id NOT IN ('north', 'south')`);
    console.log(`rows added: ${JSON.stringify(Object.fromEntries(Object.entries(after).map(([t, n]) => [t, n - before[t]!]).filter(([, n]) => n !== 0)))}; new regions: ${rows[0]!.n}`);
  }, 120_000);

  it('leaves the process memory where it was after another run', async () => {
    // The first run warmed everything up; this one (as large: ~14,500 requests, ~60 MB of hostile bodies) must
    // leave the heap and the resident set where they were, within a generous bound.
    gc();
    const start = process.memoryUsage();
    const outcome = await runCorpus();
    await drainedWithoutFailures();
    gc();
    const end = process.memoryUsage();
    console.log(`memory over another corpus run (${outcome.requests} requests): heapUsed ${(start.heapUsed / MB).toFixed(1)} → ${(end.heapUsed / MB).toFixed(1)} MiB, ` +
      `rss ${(start.rss / MB).toFixed(1)} → ${(end.rss / MB).toFixed(1)} MiB`);
    expect(end.heapUsed - start.heapUsed).toBeLessThan(64 * MB);
    expect(end.rss - start.rss).toBeLessThan(256 * MB);
  }, 900_000);
});

describe('impossible dates and offsets in query parameters', () => {
  it('are refused with a 400 naming the parameter', async () => {
    const notRefused: string[] = [];
    const expectRefused = async (operation: Operation, query: Record<string, string>, name: string) => {
      const response = await h.app.inject(request(operation, { query }));
      if (response.statusCode !== 400 || !names(response.json(), name)) notRefused.push(`${operation.name} ${new URLSearchParams(query).toString()}: ${response.statusCode}`);
    };
    for (const operation of operations.filter((o) => o.method === 'GET')) {
      const times = operation.parameters.filter((p) => p.in === 'query' && ['from', 'to', 'at', 'date', 'month'].includes(p.name));
      for (const parameter of times) {
        const isDate = parameter.schema.pattern === '^\\d{4}-\\d{2}-\\d{2}$' || parameter.name === 'date';
        const impossible = parameter.name === 'month'
          ? ['2026-13', '2026-00', '0000-01']
          : isDate
            ? ['2026-02-30', '2026-13-01', '2025-02-29']
            : ['2026-02-30T00:00:00Z', '2026-01-01T00:00:00+25:00', '2026-01-01T24:00:00Z', '9999-12-31T23:59:59-18:00'];
        for (const value of impossible) await expectRefused(operation, { [parameter.name]: value }, parameter.name);
      }
      // A range at the far end of time, short enough to pass the range checks (year 10000 in UTC): a real
      // range of local times, so an answer (empty) or a refusal, but not a 5xx.
      if (times.some((p) => p.name === 'from') && !times.some((p) => p.schema.pattern === '^\\d{4}-\\d{2}-\\d{2}$')) {
        const response = await h.app.inject(request(operation, { query: { from: '9999-12-31T20:00:00-18:00', to: '9999-12-31T23:00:00-18:00' } }));
        if (response.statusCode >= 500) notRefused.push(`${operation.name} at the end of year 9999: ${response.statusCode}`);
      }
    }
    expect(notRefused).toEqual([]);
  });
});
