// Every route of the app, table-driven: without credentials it is refused (401), with the wrong scope or role
// it is refused (403), and a key or user limited to one region gets nothing of another. The table is checked
// against the OpenAPI document and against the routes Fastify serves, so that a route added without a row —
// and so without a decision about who may use it — fails this test. Deliberately public routes are listed
// apart, each with its reason.
import type { AddressInfo } from 'node:net';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ENGINE_DEVICE_MODEL_ID, KEY_SCOPES, ROLES, roleScopes, ROLE_PERMISSIONS, type KeyScope, type Permission } from '@servicetower/domain';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';
import { openApiOperations, registeredRoutes, type Operation } from './support/routes.js';
import { sampleRecord, sampleRequest, type SampleContext } from './support/samples.js';
import { asUser, createTestUser, signIn } from './support/users.js';

/** Routes anyone may call, and why. */
const PUBLIC: Record<string, string> = {
  'GET /healthz': 'liveness probe for load balancers; answers {status: ok} and nothing else',
  'GET /readyz': 'readiness probe for orchestrators; says only whether PostgreSQL and Redis answer',
  'GET /metrics': 'Prometheus scrape: counters and latencies, no records; keep it inside the network',
  'POST /api/v1/session': 'signing in is how credentials are got; refused cross-site and rate-limited per address on failures',
  'DELETE /api/v1/session': 'signing out clears the cookie, whoever asks; with a cookie it must come from this site',
};

/** Routes Fastify serves that the OpenAPI document leaves out, and why; the rest of them must be in the table. */
const UNDOCUMENTED: Array<{ pattern: RegExp; reason: string }> = [
  { pattern: /^GET \/docs(\/.*)?$/, reason: 'the API reference (swagger-ui) and its OpenAPI document' },
  { pattern: /^GET \/(assets\/.*|index\.html)?$/, reason: 'the dashboard’s built files: code and styles, no data' },
  { pattern: /^GET \/metrics$/, reason: 'Prometheus scrape (public, see above)' },
  { pattern: /^GET \/api\/v1\/live$/, reason: 'the live WebSocket (hidden from OpenAPI by @fastify/websocket): in the table below' },
];

type Region =
  /** A read: a region-limited caller gets a 2xx without any mark of the other region, or a 403/404; an all-regions caller sees the other region there. */
  | { read: string; sameAs?: string }
  /** A read of the whole network, refused (403) to a region-limited caller. */
  | { wholeNetwork: string }
  /** A write touching the other region: refused (the status), or its records rejected in the answer. */
  | { write: (h: Harness) => InjectOptions; refused: number | 'rejected' }
  /** No region is involved, and why. */
  | { exempt: string };

interface Row {
  /** Key scopes that may use the route (any one of them); a key with none of them gets 403. */
  scopes?: KeyScope[];
  /** Or the permission a route asks for by requirePermission. */
  permission?: Permission;
  region: Region;
}

const ADMIN_ONLY = 'administration covers the whole network: users, keys, webhooks, queues, briefing runs and the audit log belong to no region';
const CATALOGUE = 'a network-wide catalogue (product lines, parts, device models, alarm rules) that belongs to no region';
const admin: Row = { scopes: ['admin'], region: { exempt: ADMIN_ONLY } };
const kpi = (path: string, sameAs?: string): Row => ({ scopes: ['read', 'admin'], region: { read: path, ...(sameAs ? { sameAs } : {}) } });
const ingest = (stream: 'service-orders' | 'parts' | 'complaints' | 'telemetry'): Row => ({
  scopes: [stream],
  region: {
    write: () => ({ method: 'POST', url: `/api/v1/ingest/${stream}`, payload: [sampleRecord(stream, 'gz-01', 'eng-2')] }),
    refused: 'rejected',
  },
});
const PERIOD = 'from=2026-01-01&to=2026-02-01&interval=month';

/** Every route that needs credentials, by "METHOD /url" as the OpenAPI document (or Fastify) names it. */
const TABLE: Record<string, Row> = {
  'GET /api/v1/admin/audit': admin,
  'GET /api/v1/admin/keys': admin,
  'POST /api/v1/admin/keys': admin,
  'DELETE /api/v1/admin/keys/:id': admin,
  'GET /api/v1/admin/queues': admin,
  'GET /api/v1/admin/queues/:queue/failed': admin,
  'POST /api/v1/admin/queues/:queue/failed/replay': admin,
  'GET /api/v1/admin/users': admin,
  'POST /api/v1/admin/users': admin,
  'PATCH /api/v1/admin/users/:id': admin,
  'GET /api/v1/admin/webhooks': admin,
  'POST /api/v1/admin/webhooks': admin,
  'DELETE /api/v1/admin/webhooks/:id': admin,
  'GET /api/v1/briefings/deliveries': admin,
  'POST /api/v1/briefings/runs': admin,
  'GET /api/v1/briefings/': { scopes: ['read', 'admin'], region: { wholeNetwork: '/api/v1/briefings/?date=2026-01-10' } },
  // The same route without its trailing slash (Fastify serves both for a prefix's "/" route).
  'GET /api/v1/briefings': { scopes: ['read', 'admin'], region: { wholeNetwork: '/api/v1/briefings?date=2026-01-10' } },

  'GET /api/v1/alarm-rules': { scopes: ['read', 'reference', 'admin'], region: { exempt: CATALOGUE } },
  'PUT /api/v1/alarm-rules/:id': { scopes: ['admin', 'reference'], region: { exempt: CATALOGUE } },
  'GET /api/v1/alarms': { scopes: ['read', 'admin'], region: { read: '/api/v1/alarms' } },
  'GET /api/v1/alarms/:id': { scopes: ['read', 'admin'], region: { read: '/api/v1/alarms/{southAlarm}' } },
  'POST /api/v1/alarms/:id/acknowledge': {
    permission: 'alarms:acknowledge',
    region: { write: (h) => ({ method: 'POST', url: `/api/v1/alarms/${ids(h).southAlarm}/acknowledge` }), refused: 404 },
  },
  'POST /api/v1/alarms/:id/resolve': {
    permission: 'alarms:acknowledge',
    region: { write: (h) => ({ method: 'POST', url: `/api/v1/alarms/${ids(h).southAlarm}/resolve` }), refused: 404 },
  },

  'GET /api/v1/regions': { scopes: ['reference', 'read'], region: { read: '/api/v1/regions' } },
  'GET /api/v1/regions/:id': { scopes: ['reference', 'read'], region: { read: '/api/v1/regions/south' } },
  'PUT /api/v1/regions/:id': { scopes: ['reference'], region: { write: () => ({ method: 'PUT', url: '/api/v1/regions/south', payload: { name: 'Mine now' } }), refused: 403 } },
  'GET /api/v1/outlets': { scopes: ['reference', 'read'], region: { read: '/api/v1/outlets' } },
  'GET /api/v1/outlets/:id': { scopes: ['reference', 'read'], region: { read: '/api/v1/outlets/gz-01' } },
  'PUT /api/v1/outlets/:id': {
    scopes: ['reference'],
    region: { write: () => ({ method: 'PUT', url: '/api/v1/outlets/gz-01', payload: { name: 'Moved', regionId: 'north', technicians: 1, lat: 0, lon: 0 } }), refused: 403 },
  },
  'GET /api/v1/product-lines': { scopes: ['reference', 'read'], region: { exempt: CATALOGUE } },
  'GET /api/v1/product-lines/:id': { scopes: ['reference', 'read'], region: { exempt: CATALOGUE } },
  'PUT /api/v1/product-lines/:id': { scopes: ['reference'], region: { write: () => ({ method: 'PUT', url: '/api/v1/product-lines/tv', payload: { name: 'Renamed' } }), refused: 403 } },
  'GET /api/v1/parts': { scopes: ['reference', 'read'], region: { exempt: CATALOGUE } },
  'GET /api/v1/parts/:id': { scopes: ['reference', 'read'], region: { exempt: CATALOGUE } },
  'PUT /api/v1/parts/:id': { scopes: ['reference'], region: { write: () => ({ method: 'PUT', url: '/api/v1/parts/P-100', payload: { name: 'x', source: 'hq_stock', unitCost: 1 } }), refused: 403 } },
  'GET /api/v1/device-models': { scopes: ['reference', 'read'], region: { exempt: CATALOGUE } },
  'GET /api/v1/device-models/:id': { scopes: ['reference', 'read'], region: { exempt: CATALOGUE } },
  'PUT /api/v1/device-models/:id': { scopes: ['reference'], region: { write: () => ({ method: 'PUT', url: '/api/v1/device-models/engine', payload: { name: 'x', sensors: [] } }), refused: 403 } },
  'GET /api/v1/devices': { scopes: ['reference', 'read'], region: { read: '/api/v1/devices' } },
  'GET /api/v1/devices/:id': { scopes: ['reference', 'read'], region: { read: '/api/v1/devices/eng-2' } },
  'PUT /api/v1/devices/:id': { scopes: ['reference'], region: { write: () => ({ method: 'PUT', url: '/api/v1/devices/eng-2', payload: { modelId: 'engine', outletId: 'bj-01' } }), refused: 403 } },
  'GET /api/v1/devices/:id/series': { scopes: ['read', 'admin'], region: { read: '/api/v1/devices/eng-2/series?from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z' } },
  'GET /api/v1/devices/:id/cost': { scopes: ['read', 'admin'], region: { read: '/api/v1/devices/eng-2/cost?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z' } },
  'GET /api/v1/devices/:id/rul': { scopes: ['read', 'admin'], region: { read: '/api/v1/devices/S-engine/rul' } },
  ...Object.fromEntries(['regions', 'outlets', 'product-lines', 'parts', 'device-models', 'devices'].map((collection) => [
    `POST /api/v1/import/${collection}`,
    {
      scopes: ['reference'],
      region: collection === 'outlets'
        ? { write: () => ({ method: 'POST', url: '/api/v1/import/outlets', headers: { 'content-type': 'text/csv' }, payload: 'id,name,regionId,technicians,lat,lon\ngz-02,Shenzhen,south,3,22.5,114.1\n' }), refused: 'rejected' }
        : collection === 'devices'
          ? { write: () => ({ method: 'POST', url: '/api/v1/import/devices', headers: { 'content-type': 'text/csv' }, payload: 'id,modelId,outletId\neng-9,engine,gz-01\n' }), refused: 'rejected' }
          : { exempt: `a region-limited key may not import ${collection} at all (network-wide or checked per row like PUT): see the PUT rows` },
    } satisfies Row,
  ])),

  'POST /api/v1/ingest/service-orders': ingest('service-orders'),
  'POST /api/v1/ingest/parts': ingest('parts'),
  'POST /api/v1/ingest/complaints': ingest('complaints'),
  'POST /api/v1/ingest/telemetry': ingest('telemetry'),

  'GET /api/v1/kpi/service-load': kpi(`/api/v1/kpi/service-load?${PERIOD}&groupBy=outlet`),
  'GET /api/v1/kpi/complaints': kpi(`/api/v1/kpi/complaints?${PERIOD}&groupBy=outlet`),
  'GET /api/v1/kpi/parts/supply-cycle': kpi(`/api/v1/kpi/parts/supply-cycle?${PERIOD}&groupBy=outlet`),
  'GET /api/v1/kpi/parts/wait-complaints': kpi(`/api/v1/kpi/parts/wait-complaints?${PERIOD}&groupBy=outlet`),
  'GET /api/v1/kpi/parts/open-requests': kpi('/api/v1/kpi/parts/open-requests?at=2026-01-20T00:00:00Z'),
  'GET /api/v1/kpi/orders/waiting-parts': kpi('/api/v1/kpi/orders/waiting-parts?at=2026-01-20T00:00:00Z'),
  'GET /api/v1/kpi/overview': kpi('/api/v1/kpi/overview?from=2026-01-01&to=2026-02-01', '/api/v1/kpi/overview?from=2026-01-01&to=2026-02-01&region=north'),
  'GET /api/v1/kpi/staffing': kpi('/api/v1/kpi/staffing?month=2026-02'),

  'GET /api/v1/session': { region: { exempt: 'answers who the cookie belongs to: one’s own account' } },
  'GET /api/v1/live': { scopes: ['read', 'admin'], region: { exempt: 'a WebSocket: checked by "the live channel" below (and live.test.ts, session.test.ts)' } },
};

/** Marks of the south region in an answer: its id and name, its outlet, device and records. */
const SOUTH_MARKS = ['south', 'South', 'gz-01', 'eng-2', 'S-engine', 'S-order', 'S-request', 'S-complaint'];
const marksIn = (body: string) => SOUTH_MARKS.filter((mark) => body.includes(mark));

let h: Harness;
let operations: Operation[];
let routes: string[];
let context: SampleContext;
const keys = {} as Record<'north' | 'revoked' | 'all', string>;
const cookies = {} as Record<'northViewer', string>;
const alarmIds = { north: '', south: '' };
const ids = (_h: Harness) => ({ southAlarm: alarmIds.south });

beforeAll(async () => {
  h = await startHarness({ workers: true });
  await seedReference(h.app, h.adminKey);
  const order = (id: string, outletId: string) => ({ eventId: `${id}-1`, orderId: id, type: 'created', at: '2026-01-10T10:00:00Z', outletId, productLine: 'tv' });
  await h.ingest('service-orders', [order('N-order', 'bj-01'), order('S-order', 'gz-01'),
    { ...order('S-order', 'gz-01'), eventId: 'S-order-2', type: 'parts_requested', at: '2026-01-11T10:00:00Z' }]);
  const request = (id: string, outletId: string) => ({ eventId: `${id}-1`, requestId: id, type: 'requested', at: '2026-01-11T10:00:00Z', outletId, partNo: 'P-100', quantity: 1, source: 'hq_stock' });
  await h.ingest('parts', [request('N-request', 'bj-01'), request('S-request', 'gz-01'), request('N-received', 'bj-01'), request('S-received', 'gz-01'),
    ...['N-received', 'S-received'].map((id, i) => ({ ...request(id, i === 0 ? 'bj-01' : 'gz-01'), eventId: `${id}-2`, type: 'received', at: '2026-01-15T10:00:00Z' }))]);
  const complaint = (id: string, outletId: string) => ({ eventId: `${id}-1`, complaintId: id, at: '2026-01-12T10:00:00Z', outletId, productLine: 'tv', cause: 'other' });
  await h.ingest('complaints', [complaint('N-complaint', 'bj-01'), complaint('S-complaint', 'gz-01')]);
  await h.ingest('telemetry', ['eng-1', 'eng-2'].map((deviceId) => ({ deviceId, readings: [{ at: '2026-01-10T10:00:00Z', values: { s2: 641 } }, { at: '2026-01-10T10:01:00Z', values: { s2: 642 } }] })));
  await h.drained();
  await h.pool.query(`INSERT INTO alarm_rule (rule_id, device_model_id, sensor, kind, params, severity) VALUES ('s2-high', 'engine', 's2', 'limit', '{"high": 650}', 'warning')`);
  for (const [side, device] of [['north', 'eng-1'], ['south', 'eng-2']] as const) {
    const { rows } = await h.pool.query(`INSERT INTO alarm (rule_id, device_id, sensor, kind, severity, message) VALUES ('s2-high', $1, 's2', 'limit', 'warning', 'high') RETURNING alarm_id`, [device]);
    alarmIds[side] = String(rows[0].alarm_id);
  }

  // An engine of the remaining-useful-life model in the south, with an estimate.
  await h.pool.query(`INSERT INTO device_model (device_model_id, name) VALUES ($1, 'Turbofan (C-MAPSS)')`, [ENGINE_DEVICE_MODEL_ID]);
  await h.pool.query(`INSERT INTO device (device_id, device_model_id, outlet_id) VALUES ('S-engine', $1, 'gz-01')`, [ENGINE_DEVICE_MODEL_ID]);
  await h.pool.query(`INSERT INTO rul_model (model_id, training_source, training_sha256, training_rows, params) VALUES ('m1', 'test', 'x', 1, '{}')`);
  await h.pool.query(`INSERT INTO device_rul (device_id, cycles_flown, rul_cycles, model_id, last_reading_at) VALUES ('S-engine', 20, 80, 'm1', now())`);

  keys.north = await h.key(KEY_SCOPES, ['north']);
  keys.revoked = await h.key(KEY_SCOPES);
  keys.all = h.adminKey;
  await h.pool.query('UPDATE api_key SET revoked_at = now() WHERE api_key_id = $1', [keys.revoked.split('_')[1]]);
  await createTestUser(h, 'northviewer', 'viewer', ['north']);
  cookies.northViewer = (await signIn(h.app, 'northviewer')).cookie;
  const target = await createTestUser(h, 'target', 'viewer');
  const throwaway = await h.key(['read']);
  context = { ids: { user: target.id, key: throwaway.split('_')[1], alarm: alarmIds.north, webhook: '999999' } };
  operations = await openApiOperations(h.app);
  routes = await registeredRoutes(h.app);
}, 120_000);
afterAll(() => h?.close());

/** The operation of a table row: from the OpenAPI document, or (for the WebSocket) made up. */
function operationOf(name: string): Operation {
  const found = operations.find((o) => o.name === name);
  if (found) return found;
  const [method, url] = name.split(' ') as [string, string];
  // A prefix's "/" route is also served without the slash: the same operation.
  const slashed = operations.find((o) => o.name === `${name}/`);
  if (slashed) return { ...slashed, url, name };
  return { method, url, name, security: undefined, parameters: [], body: null };
}

const send = (options: InjectOptions, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
  h.app.inject({ ...options, headers: { ...options.headers, ...headers } });

describe('the route table', () => {
  it('has a row for every route of the OpenAPI document, and for every route Fastify serves that is not public', () => {
    const documented = operations.map((o) => o.name);
    const missing = documented.filter((name) => !(name in TABLE) && !(name in PUBLIC));
    expect(missing, 'routes without a row: decide who may use them and add them to TABLE (or PUBLIC with the reason)').toEqual([]);
    const served = routes.filter((route) => !UNDOCUMENTED.some(({ pattern }) => pattern.test(route)));
    const unknown = served.filter((route) => !documented.includes(route) && !(route in TABLE));
    expect(unknown, 'routes Fastify serves that neither the OpenAPI document nor the table know').toEqual([]);
    const stale = Object.keys(TABLE).filter((name) => !documented.includes(name) && !routes.includes(name));
    expect(stale, 'rows of routes that no longer exist').toEqual([]);
    // Every documented route that needs credentials says so in the document, and no public one does.
    for (const operation of operations) {
      if (operation.name in PUBLIC) continue;
      expect(operation.security?.length, `${operation.name} lists no security scheme`).toBeGreaterThan(0);
    }
    console.log(`route table: ${Object.keys(TABLE).length} rows (${operations.length} documented operations), ${Object.keys(PUBLIC).length} public, ${routes.length} routes served`);
  });
});

describe('without credentials', () => {
  it('every route but the public ones answers 401, and so does a revoked key and a made-up one', async () => {
    const wrong: string[] = [];
    for (const name of Object.keys(TABLE)) {
      const request = sampleRequest(operationOf(name), context);
      for (const [who, headers] of [
        ['nobody', {}],
        ['a revoked key', bearer(keys.revoked)],
        ['a made-up key', bearer(`st_0123456789ab_${'A'.repeat(32)}`)],
        ['a made-up cookie', { cookie: 'st_session=forged', origin: 'http://localhost' }],
      ] as const) {
        const response = await send(request, headers);
        if (response.statusCode !== 401 || typeof response.json().message !== 'string') wrong.push(`${name} as ${who}: ${response.statusCode} ${response.body.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('credentials are checked before the body is read: a bad or oversized body without them is still 401', async () => {
    const wrong: string[] = [];
    for (const name of Object.keys(TABLE).filter((n) => /^(POST|PUT|PATCH) /.test(n))) {
      const request = sampleRequest(operationOf(name), context);
      for (const [what, payload] of [['malformed JSON', '{"unclosed": ['], ['a body past the 16 MB JSON limit', 'x'.repeat(17 * 1024 * 1024)]] as const) {
        const response = await send({ ...request, payload, headers: { 'content-type': 'application/json' } });
        if (response.statusCode !== 401) wrong.push(`${name} with ${what}: ${response.statusCode} ${response.body.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the public routes answer without any', async () => {
    for (const name of Object.keys(PUBLIC)) {
      const response = await send(sampleRequest(operationOf(name), context), { origin: 'http://localhost' });
      expect(response.statusCode, `${name}: ${response.body}`).not.toBe(403);
      if (name !== 'POST /api/v1/session') expect(response.statusCode, name).toBeLessThan(300);
    }
  });
});

describe('with the wrong scope or role', () => {
  it('every route answers 403 to a key without any scope it takes, and to a role without its permission', async () => {
    const wrong: string[] = [];
    for (const [name, row] of Object.entries(TABLE)) {
      if (name === 'GET /api/v1/session') continue; // a session, not a scope
      const operation = operationOf(name);
      const takes = row.permission ? KEY_SCOPES.filter((scope) => scope === 'admin') : row.scopes!;
      const others = KEY_SCOPES.filter((scope) => !takes.includes(scope));
      const request = sampleRequest(operation, context);
      // The right key gets past the guard: the sample request is one the route would serve.
      const right = await send(request, bearer(await h.key(takes)));
      if (right.statusCode === 401 || right.statusCode === 403) wrong.push(`${name} with ${takes.join('+')}: ${right.statusCode} ${right.body.slice(0, 120)}`);
      if (others.length > 0) {
        const response = await send(request, bearer(await h.key(others)));
        if (response.statusCode !== 403 || !/scope|may not/.test(response.json().message)) wrong.push(`${name} with ${others.join('+')}: ${response.statusCode} ${response.body.slice(0, 120)}`);
      }
      for (const role of ROLES) {
        const allowed = row.permission ? ROLE_PERMISSIONS[role].includes(row.permission) : roleScopes(role).some((scope) => takes.includes(scope));
        if (allowed) continue;
        const response = await send(request, asUser(await roleCookie(role)));
        if (response.statusCode !== 403 || !/Your role/.test(response.json().message)) wrong.push(`${name} as ${role}: ${response.statusCode} ${response.body.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});

const roleCookies = new Map<string, string>();
/** The session cookie of a user of the role, signed in once. */
async function roleCookie(role: (typeof ROLES)[number]): Promise<string> {
  if (!roleCookies.has(role)) {
    await createTestUser(h, `role-${role}`, role);
    roleCookies.set(role, (await signIn(h.app, `role-${role}`)).cookie);
  }
  return roleCookies.get(role)!;
}

describe('limited to a region', () => {
  const url = (path: string) => path.replace('{southAlarm}', alarmIds.south);

  it('a key or user sees nothing of another region on any route that reads, while an all-regions caller does', async () => {
    const wrong: string[] = [];
    for (const [name, row] of Object.entries(TABLE)) {
      if ('wholeNetwork' in row.region) {
        const all = await send({ method: 'GET', url: row.region.wholeNetwork }, bearer(keys.all));
        if (all.statusCode === 403) wrong.push(`${name}: refused to an all-regions key too`);
        for (const headers of [bearer(keys.north), { cookie: cookies.northViewer }]) {
          const response = await send({ method: 'GET', url: row.region.wholeNetwork }, headers);
          if (response.statusCode !== 403) wrong.push(`${name} for a region-limited caller: ${response.statusCode} ${response.body.slice(0, 200)}`);
        }
        continue;
      }
      if (!('read' in row.region)) continue;
      const { read, sameAs } = row.region;
      const everything = await send({ method: 'GET', url: url(read) }, bearer(keys.all));
      if (everything.statusCode !== 200 || marksIn(everything.body).length === 0) {
        if (!sameAs) wrong.push(`${name}: the all-regions answer (${everything.statusCode}) shows nothing of the south, so the check proves nothing: ${everything.body.slice(0, 100)}`);
      }
      const callers: Array<[string, Record<string, string>]> = [['a north key', bearer(keys.north)]];
      if (row.scopes?.includes('read')) callers.push(['a north viewer', { cookie: cookies.northViewer }]);
      for (const [who, headers] of callers) {
        const response = await send({ method: 'GET', url: url(read) }, headers);
        if (sameAs) {
          const expected = await send({ method: 'GET', url: url(sameAs) }, bearer(keys.all));
          if (response.statusCode !== 200 || response.body !== expected.body) wrong.push(`${name} as ${who}: ${response.body.slice(0, 200)} is not the north's own ${expected.body.slice(0, 200)}`);
        } else if (response.statusCode === 200) {
          if (marksIn(response.body).length > 0) wrong.push(`${name} as ${who} shows ${marksIn(response.body).join(', ')}: ${response.body.slice(0, 200)}`);
        } else if (response.statusCode !== 403 && response.statusCode !== 404) {
          wrong.push(`${name} as ${who}: ${response.statusCode} ${response.body.slice(0, 200)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a key or user may not write into another region: refused, or each record of it rejected', async () => {
    // Acknowledging takes a permission that keys hold only with admin, which no region-limited key holds:
    // a north engineer tries it instead.
    await createTestUser(h, 'northengineer', 'engineer', ['north']);
    const northEngineer = asUser((await signIn(h.app, 'northengineer')).cookie);
    const wrong: string[] = [];
    for (const [name, row] of Object.entries(TABLE)) {
      if (!('write' in row.region)) continue;
      const { write, refused } = row.region;
      const response = await send(write(h), row.permission === 'alarms:acknowledge' ? northEngineer : bearer(keys.north));
      if (refused === 'rejected') {
        const body = response.json();
        const rejected = body.rejected?.length ?? 0;
        const taken = body.accepted ?? body.imported ?? 0;
        if (response.statusCode >= 500 || rejected === 0 || taken !== 0) wrong.push(`${name}: ${response.statusCode} ${response.body.slice(0, 200)}`);
      } else if (response.statusCode !== refused) {
        wrong.push(`${name}: ${response.statusCode} (expected ${refused}) ${response.body.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
    // Nothing of it happened.
    expect((await h.pool.query(`SELECT name FROM region WHERE region_id = 'south'`)).rows[0].name).toBe('South');
    expect((await h.pool.query(`SELECT region_id FROM outlet WHERE outlet_id = 'gz-01'`)).rows[0].region_id).toBe('south');
    expect((await h.pool.query(`SELECT status FROM alarm WHERE alarm_id = $1`, [alarmIds.south])).rows[0].status).toBe('open');
    expect(await h.count(`SELECT 1 FROM outlet WHERE outlet_id = 'gz-02'`)).toBe(0);
  });

  it('administration is refused to a key or user limited to regions, even one stored with the admin scope or role', async () => {
    // Such rows can no longer be made through the API or the admin command (below); older ones hold no admin reach.
    const northAdminKey = keys.north; // made with every scope, admin included, and limited to the north
    await createTestUser(h, 'northadmin', 'admin', ['north']);
    const northAdmin = (await signIn(h.app, 'northadmin')).cookie;
    const wrong: string[] = [];
    for (const [name, row] of Object.entries(TABLE)) {
      if (!('exempt' in row.region) || row.region.exempt !== ADMIN_ONLY) continue;
      const request = sampleRequest(operationOf(name), context);
      for (const [who, headers] of [['a north key with admin', bearer(northAdminKey)], ['a north admin', asUser(northAdmin)]] as const) {
        const response = await send(request, headers);
        if (response.statusCode !== 403) wrong.push(`${name} as ${who}: ${response.statusCode} ${response.body.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(Object.values(TABLE).filter((row) => 'exempt' in row.region && row.region.exempt === ADMIN_ONLY).length).toBeGreaterThan(10);
  });

  it('an admin key or admin user cannot be limited to regions: 422 naming regions, and nothing stored', async () => {
    const keysBefore = await h.count('SELECT 1 FROM api_key');
    const key = await send({ method: 'POST', url: '/api/v1/admin/keys', payload: { name: 'north-admin', scopes: ['read', 'admin'], regions: ['north'] } }, bearer(keys.all));
    expect(key.statusCode).toBe(422);
    expect(key.json().message).toMatch(/admin scope .*regions/);
    expect(key.json().errors[0].path).toBe('body/regions');
    expect(await h.count('SELECT 1 FROM api_key')).toBe(keysBefore);
    // Without the admin scope the same key is fine.
    expect((await send({ method: 'POST', url: '/api/v1/admin/keys', payload: { name: 'north-reader', scopes: ['read'], regions: ['north'] } }, bearer(keys.all))).statusCode).toBe(201);

    const user = await send({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'north-boss', role: 'admin', regions: ['north'], password: 'a long enough password' } }, bearer(keys.all));
    expect(user.statusCode).toBe(422);
    expect(user.json().errors[0].path).toBe('body/regions');
    expect(await h.count(`SELECT 1 FROM app_user WHERE username = 'north-boss'`)).toBe(0);

    // Promoting a region-limited user to admin is refused too, and changes nothing.
    const viewer = await createTestUser(h, 'north-promoted', 'viewer', ['north']);
    const promote = await send({ method: 'PATCH', url: `/api/v1/admin/users/${viewer.id}`, payload: { role: 'admin' } }, bearer(keys.all));
    expect(promote.statusCode).toBe(422);
    expect((await h.pool.query('SELECT role FROM app_user WHERE user_id = $1', [viewer.id])).rows[0].role).toBe('viewer');
    // With its regions dropped in the same change, it is allowed.
    const whole = await send({ method: 'PATCH', url: `/api/v1/admin/users/${viewer.id}`, payload: { role: 'admin', regions: null } }, bearer(keys.all));
    expect(whole.statusCode, whole.body).toBe(200);
  });

  it('the live channel refuses a device of another region, to a key and to a signed-in user', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as AddressInfo;
    const answer = async (headers: Record<string, string>, origin?: string) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, { headers, ...(origin ? { origin } : {}) });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('open', () => resolve());
          socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
          socket.once('error', reject);
        });
        const message = new Promise<{ type: string }>((resolve) => socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))));
        socket.send(JSON.stringify({ op: 'subscribe', topic: 'device:eng-2' }));
        return await message;
      } finally {
        socket.terminate();
      }
    };
    expect(await answer(bearer(keys.north))).toMatchObject({ type: 'error' });
    expect(await answer({ cookie: cookies.northViewer }, `http://127.0.0.1:${port}`)).toMatchObject({ type: 'error' });
    expect(await answer(bearer(keys.all))).not.toMatchObject({ type: 'error' });
  });
});
