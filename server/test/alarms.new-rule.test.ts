// A rule created while a device is already reporting applies to its next readings: the workers' cache of
// which devices have rules (workers/src/repositories/followUps.ts) is forgotten when the rules change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, seedReference, startHarness, waitFor, type Harness } from './support/harness.js';

describe('a new alarm rule', () => {
  let h: Harness;
  const post = async (records: object[]) => {
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/ingest/telemetry', payload: records, headers: bearer(h.adminKey) });
    expect(response.statusCode, response.body).toBe(202);
    await h.drained();
  };
  const openAlarms = async () => {
    const response = await h.app.inject({ method: 'GET', url: '/api/v1/alarms?status=open&device=eng-1', headers: bearer(h.adminKey) });
    return (response.json() as { items: Array<{ ruleId: string; value: number }> }).items;
  };

  beforeAll(async () => {
    h = await startHarness({ workers: true });
    await seedReference(h.app, h.adminKey);
  });
  afterAll(async () => {
    await h.close();
  });

  it('raises an alarm on the first breaking reading stored after it, seconds after the device was last judged rule-free', async () => {
    const now = Date.now();
    // The device reports with no rule for its model: the workers note that it needs no alarm check.
    await post([{ deviceId: 'eng-1', readings: [{ at: new Date(now - 60_000).toISOString(), values: { s2: 642 } }] }]);
    const rule = { modelId: 'engine', sensor: 's2', kind: 'limit', params: { high: 645, holdSeconds: 0 }, severity: 'critical' };
    const created = await h.app.inject({ method: 'PUT', url: '/api/v1/alarm-rules/s2-hot', payload: rule, headers: bearer(h.adminKey) });
    expect(created.statusCode, created.body).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the rules are checked for a change once a second
    await post([{ deviceId: 'eng-1', readings: [{ at: new Date(now).toISOString(), values: { s2: 651 } }] }]);
    await waitFor(async () => (await openAlarms()).length > 0, 10_000, 'the alarm of the new rule');
    expect(await openAlarms()).toEqual([expect.objectContaining({ ruleId: 's2-hot', value: 651 })]);
  });
});
