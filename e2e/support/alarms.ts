// Alarms made on purpose during a test: a rule put through the API and telemetry that breaks it, posted as the
// admin until whatever should follow (an alarm in the API, a row on a page) is seen.
import type { AlarmRule, AlarmRuleBody, FleetDevice } from '@servicetower/domain';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { api, send } from './browser.js';

/** For each fleet model, a sensor and a reading far above anything the simulator sends. */
export const BREAKING: Record<string, { sensor: string; threshold: number; value: number }> = {
  'display-pro': { sensor: 'backlight_current', threshold: 900, value: 990 },
  'laptop-fleet': { sensor: 'cpu_temp', threshold: 110, value: 130 },
  'security-camera': { sensor: 'sensor_temp', threshold: 100, value: 120 },
};

/** PUT /api/v1/alarm-rules/:id as the signed-in admin, expecting 200. */
export async function putRule(admin: Page, id: string, body: AlarmRuleBody): Promise<AlarmRule> {
  const answer = await send<AlarmRule>(admin, 'PUT', `/api/v1/alarm-rules/${id}`, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

/** The fleet devices of a model as the API lists them (in id order), those of `region` first. */
export async function devicesOf(page: Page, modelId: string, region?: string): Promise<FleetDevice[]> {
  const { items } = await api<{ items: FleetDevice[] }>(page, '/api/v1/devices', { model: modelId, limit: 200 });
  return [...items].sort((a, b) => Number(b.regionId === region) - Number(a.regionId === region));
}

/**
 * Posts `value` for the device's sensor every two seconds, as the admin, until `seen()` holds: the workers judge
 * a reading against the rules a moment after it is stored. Returns how many readings were posted, and when the last.
 */
export async function reportUntil(
  admin: Page,
  reading: { deviceId: string; sensor: string; value: number },
  seen: () => Promise<boolean>,
): Promise<{ readings: number; lastSentAt: number }> {
  let sentAt = 0;
  let readings = 0;
  await expect.poll(async () => {
    if (Date.now() - sentAt >= 2000) {
      sentAt = Date.now();
      const ingest = await send<{ accepted: number; rejectedCount: number }>(admin, 'POST', '/api/v1/ingest/telemetry', [
        { deviceId: reading.deviceId, readings: [{ at: new Date(sentAt).toISOString(), values: { [reading.sensor]: reading.value } }] },
      ]);
      expect(ingest.status, JSON.stringify(ingest.body)).toBe(202);
      expect(ingest.body).toMatchObject({ accepted: 1, rejectedCount: 0 });
      readings += 1;
    }
    return seen();
  }, { timeout: 90_000, interval: 250 }).toBe(true);
  return { readings, lastSentAt: sentAt };
}
