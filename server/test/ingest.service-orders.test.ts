import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ workers: true });
  await seedReference(h.app, h.adminKey);
});
afterAll(() => h?.close());

const order = (eventId: string, orderId: string, type: string, at: string, extra: object = {}) => ({
  eventId, orderId, type, at, outletId: 'bj-01', productLine: 'tv', ...extra,
});

describe('service-order ingestion', () => {
  it('stores a valid batch exactly', async () => {
    const batch = [
      order('e1', 'o1', 'created', '2026-03-01T08:00:00+08:00', { channel: 'call_centre', customerId: 'c1' }),
      order('e2', 'o1', 'assigned', '2026-03-01T09:00:00+08:00', { technicianId: 't1' }),
      order('e3', 'o1', 'completed', '2026-03-02T10:00:00+08:00', { laborCost: 45.5 }),
    ];
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/ingest/service-orders', payload: batch, headers: bearer(h.adminKey) });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ accepted: 3, rejected: [], rejectedCount: 0 });
    await h.drained();
    const { rows } = await h.pool.query('SELECT event_id, type, at, labor_cost::float8 AS labor_cost FROM service_order_event WHERE order_id = $1 ORDER BY at', ['o1']);
    expect(rows).toEqual([
      { event_id: 'e1', type: 'created', at: new Date('2026-03-01T00:00:00Z'), labor_cost: null },
      { event_id: 'e2', type: 'assigned', at: new Date('2026-03-01T01:00:00Z'), labor_cost: null },
      { event_id: 'e3', type: 'completed', at: new Date('2026-03-02T02:00:00Z'), labor_cost: 45.5 },
    ]);
    const state = await h.pool.query('SELECT status, technician_id, customer_id, channel FROM service_order WHERE order_id = $1', ['o1']);
    expect(state.rows).toEqual([{ status: 'completed', technician_id: 't1', customer_id: 'c1', channel: 'call_centre' }]);
  });
});
