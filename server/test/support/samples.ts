// A well-formed request for any operation of the OpenAPI document, within the network seedReference makes:
// parameters by name, bodies generated from the route's schema. A route added later gets one too.
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import type { StreamName } from '@servicetower/domain';
import { valid } from './arbitraries.js';
import type { JsonSchema, Operation } from './routes.js';

export interface SampleContext {
  /** Ids the route's path may need, by what they name. */
  ids?: { user?: string; key?: string; alarm?: string; webhook?: string };
}

const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
const COLLECTION_IDS: Record<string, string> = { regions: 'north', outlets: 'bj-01', 'product-lines': 'tv', parts: 'P-100', 'device-models': 'engine', devices: 'eng-1' };

/** Values that make a generated body meaningful within the seeded network. */
export const SENSIBLE: Record<string, fc.Arbitrary<unknown>> = {
  regionId: fc.constant('north'),
  outletId: fc.constant('bj-01'),
  modelId: fc.constant('engine'),
  productLine: fc.constant('tv'),
  sensor: fc.constant('s2'),
  regions: fc.constant(null),
  url: fc.constant('https://hooks.example.com/sample'),
  password: fc.constant('a long enough password'),
};

export const streamOf = (operation: Operation) => /^\/api\/v1\/ingest\/([a-z-]+)$/.exec(operation.url)?.[1] as StreamName | undefined;

/** A valid record of each stream within the seeded network (north), with a fresh event id or reading time. */
let serial = 0;
export function sampleRecord(stream: StreamName, outletId = 'bj-01', deviceId = 'eng-1'): Record<string, unknown> {
  const id = `smp-${Date.now().toString(36)}-${(serial++).toString(36)}`;
  switch (stream) {
    case 'service-orders':
      return { eventId: id, orderId: `o-${id}`, type: 'created', at: '2026-01-05T10:00:00Z', outletId, productLine: 'tv' };
    case 'parts':
      return { eventId: id, requestId: `r-${id}`, type: 'requested', at: '2026-01-05T10:00:00Z', outletId, partNo: 'P-100', quantity: 1, source: 'hq_stock' };
    case 'complaints':
      return { eventId: id, complaintId: `c-${id}`, at: '2026-01-06T10:00:00Z', outletId, productLine: 'tv', cause: 'other' };
    case 'telemetry':
      return { deviceId, readings: [{ at: new Date(Date.UTC(2026, 0, 21) + serial * 1000).toISOString(), values: { s2: 642 } }] };
  }
}

export function sampleParameter(operation: Operation, name: string, schema: JsonSchema, context: SampleContext = {}): string {
  const isDate = schema.pattern === DATE_PATTERN;
  const byName: Record<string, string> = {
    from: isDate ? '2026-01-01' : '2026-01-01T00:00:00Z',
    to: isDate ? '2026-02-01' : '2026-01-08T00:00:00Z',
    interval: 'month',
    date: '2026-01-10',
    month: '2026-01',
    at: '2026-01-15T00:00:00Z',
    limit: '10',
    maxPoints: '100',
    queue: 'service-orders',
  };
  if (name === 'id') {
    const collection = /^\/api\/v1\/(regions|outlets|product-lines|parts|device-models|devices)\/:id/.exec(operation.url)?.[1];
    if (operation.method === 'PUT') return `smp-${operation.url.split('/')[3]}`;
    if (collection) return COLLECTION_IDS[collection]!;
    const ids = context.ids ?? {};
    if (operation.url.startsWith('/api/v1/admin/users/') && ids.user) return ids.user;
    if (operation.url.startsWith('/api/v1/admin/keys/') && ids.key) return ids.key;
    if (operation.url.startsWith('/api/v1/admin/webhooks/') && ids.webhook) return ids.webhook;
    if (operation.url.startsWith('/api/v1/alarms/') && ids.alarm) return ids.alarm;
  }
  if (byName[name] !== undefined) return byName[name];
  return String(fc.sample(valid(schema), { numRuns: 1, seed: 7 })[0]);
}

/** A body the route takes (when it takes one), with its content type. */
export function sampleBody(operation: Operation): { payload?: string; contentType?: string } {
  if (!operation.body) return {};
  const stream = streamOf(operation);
  if (stream) return { payload: JSON.stringify([sampleRecord(stream)]), contentType: 'application/json' };
  if (operation.body['application/json']) {
    const body = fc.sample(valid(operation.body['application/json'], { overrides: SENSIBLE }), { numRuns: 1, seed: 42 })[0];
    return { payload: JSON.stringify(body), contentType: 'application/json' };
  }
  if (operation.body['text/csv']) return { payload: 'id,name\nsmp-import,Imported\n', contentType: 'text/csv' };
  return {};
}

/** A request for the operation: every path parameter and required query parameter filled, and a body. */
export function sampleRequest(operation: Operation, context: SampleContext = {}, headers: Record<string, string> = {}): InjectOptions {
  const query: string[] = [];
  let url = operation.url;
  for (const parameter of operation.parameters) {
    const value = () => encodeURIComponent(sampleParameter(operation, parameter.name, parameter.schema, context));
    if (parameter.in === 'path') url = url.replace(`:${parameter.name}`, value());
    if (parameter.in === 'query' && parameter.required) query.push(`${parameter.name}=${value()}`);
  }
  const { payload, contentType } = sampleBody(operation);
  return {
    method: operation.method as InjectOptions['method'],
    url: query.length > 0 ? `${url}?${query.join('&')}` : url,
    headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers },
    ...(payload === undefined ? {} : { payload }),
  };
}

