// The live channel: readings ingested over HTTP on one API instance reach a WebSocket subscriber on
// another through the workers and Redis pub/sub, coalesced and throttled, extremes kept; a subscriber
// outside the device's regions gets nothing; alarms and change notices are relayed by scope.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { LiveServerMessage } from '@servicetower/domain';
import { liveChannels } from '@servicetower/workers';
import { buildApp } from '../src/app.js';
import { bearer, seedReference, startHarness, waitFor, type App, type Harness } from './support/harness.js';

const THROTTLE_MS = 200;

interface Client {
  socket: WebSocket;
  messages: Array<LiveServerMessage & { receivedAt: number }>;
  send(message: unknown): void;
  /** Resolves with the first message matching, received from now on or already. */
  next(match: (m: LiveServerMessage) => boolean, timeoutMs?: number): Promise<LiveServerMessage>;
}

async function connect(port: number, token: string | null): Promise<Client> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, token ? { headers: bearer(token) } : {});
  const messages: Client['messages'] = [];
  socket.on('message', (data: Buffer) => messages.push({ ...(JSON.parse(data.toString()) as LiveServerMessage), receivedAt: Date.now() }));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.once('error', reject);
  });
  return {
    socket,
    messages,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    async next(match, timeoutMs = 15_000) {
      await waitFor(() => messages.some(match), timeoutMs, 'a live message');
      return messages.find(match)!;
    },
  };
}

describe('live channel over two API instances', () => {
  let h: Harness;
  let second: App;
  let firstPort: number;
  let secondPort: number;
  let reader: string;
  let southReader: string;
  let sender: string;
  const clients: Client[] = [];
  const open = async (port: number, token: string | null) => {
    const client = await connect(port, token);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    h = await startHarness({ workers: true, env: { LIVE_THROTTLE_MS: String(THROTTLE_MS) } });
    await seedReference(h.app, h.adminKey);
    second = await buildApp(h.config, false);
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    await second.listen({ port: 0, host: '127.0.0.1' });
    firstPort = (h.app.server.address() as AddressInfo).port;
    secondPort = (second.server.address() as AddressInfo).port;
    reader = await h.key(['read']);
    southReader = await h.key(['read'], ['south']);
    sender = await h.key(['telemetry']);
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await second?.close();
    await h?.close();
  });

  const ingest = async (deviceId: string, samples: Array<{ at: string; values: Record<string, number> }>) => {
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/ingest/telemetry', headers: bearer(sender), payload: [{ deviceId, readings: samples }] });
    expect(response.statusCode).toBe(202);
  };

  it('refuses the upgrade without a key, and with a key lacking read', async () => {
    await expect(connect(secondPort, null)).rejects.toThrow('HTTP 401');
    await expect(connect(secondPort, sender)).rejects.toThrow('HTTP 403');
  });

  it('answers a malformed message with an error naming what to send', async () => {
    const client = await open(secondPort, reader);
    client.send('not json');
    client.send({ op: 'subscribe', topic: 'everything' });
    await waitFor(() => client.messages.length >= 2);
    expect(client.messages.map((m) => m.type)).toEqual(['error', 'error']);
    expect((client.messages[1] as { message: string }).message).toMatch(/topic/);
  });

  it('relays readings ingested on one instance to a subscriber on the other, throttled, with every extreme and count', async () => {
    const north = await open(secondPort, reader);
    const south = await open(secondPort, southReader);
    north.send({ op: 'subscribe', topic: 'device:eng-1' });
    south.send({ op: 'subscribe', topic: 'device:eng-1' });
    await north.next((m) => m.type === 'subscribed');
    expect(await south.next((m) => m.type === 'error')).toMatchObject({ topic: 'device:eng-1', message: expect.stringMatching(/outside this API key's regions/) });

    const start = Date.parse('2026-03-01T00:00:00Z');
    const values = Array.from({ length: 600 }, (_, i) => 641 + Math.sin(i / 10));
    values[123] = 700; // a spike: it must reach the chart even though the messages are coalesced
    values[456] = 600;
    for (let batch = 0; batch < 6; batch++) {
      await ingest('eng-1', values.slice(batch * 100, batch * 100 + 100).map((value, i) => ({
        at: new Date(start + (batch * 100 + i) * 1000).toISOString(), values: { s2: value },
      })));
    }
    const readings = () => north.messages.filter((m): m is Extract<LiveServerMessage, { type: 'readings' }> & { receivedAt: number } => m.type === 'readings');
    await waitFor(() => readings().reduce((n, m) => n + m.sensors.s2!.count, 0) >= 600, 30_000, 'all 600 readings');
    const got = readings();
    expect(got.reduce((n, m) => n + m.sensors.s2!.count, 0)).toBe(600);
    expect(Math.max(...got.map((m) => m.sensors.s2!.max))).toBe(700);
    expect(Math.min(...got.map((m) => m.sensors.s2!.min))).toBe(600);
    expect(got.at(-1)!.sensors.s2).toMatchObject({ at: new Date(start + 599_000).toISOString(), value: values[599] });
    expect(got.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < got.length; i++) expect(got[i]!.receivedAt - got[i - 1]!.receivedAt).toBeGreaterThanOrEqual(THROTTLE_MS / 2);

    await new Promise((resolve) => setTimeout(resolve, 2 * THROTTLE_MS));
    expect(south.messages.filter((m) => m.type === 'readings')).toEqual([]);
  });

  it('stops sending a device once unsubscribed', async () => {
    const client = await open(firstPort, reader);
    client.send({ op: 'subscribe', topic: 'device:eng-2' });
    await client.next((m) => m.type === 'subscribed');
    client.send({ op: 'unsubscribe', topic: 'device:eng-2' });
    await client.next((m) => m.type === 'unsubscribed');
    await ingest('eng-2', [{ at: '2026-03-02T00:00:00Z', values: { s2: 642 } }]);
    await h.drained();
    await new Promise((resolve) => setTimeout(resolve, 2 * THROTTLE_MS));
    expect(client.messages.filter((m) => m.type === 'readings')).toEqual([]);
  });

  it('relays change notices to kpi subscribers, and alarms only to keys that may see the device', async () => {
    const all = await open(firstPort, reader);
    const south = await open(secondPort, southReader);
    for (const client of [all, south]) {
      client.send({ op: 'subscribe', topic: 'kpi' });
      client.send({ op: 'subscribe', topic: 'alarms' });
    }
    await waitFor(() => [all, south].every((c) => c.messages.filter((m) => m.type === 'subscribed').length === 2));

    await ingest('eng-2', [{ at: '2026-03-03T00:00:00Z', values: { s2: 643 } }]);
    expect(await all.next((m) => m.type === 'change')).toMatchObject({ stream: 'telemetry', count: 1, from: '2026-03-03T00:00:00.000Z' });
    // a key limited to regions learns that telemetry changed, not how many readings of other regions came
    expect(await south.next((m) => m.type === 'change')).toMatchObject({ stream: 'telemetry', count: null });

    const channel = liveChannels(h.config.QUEUE_PREFIX).alarms;
    await h.redis.publish(channel, JSON.stringify({ alarmId: 'A-north', deviceId: 'eng-1', severity: 'critical' }));
    await h.redis.publish(channel, JSON.stringify({ alarmId: 'A-south', deviceId: 'eng-2', severity: 'warning' }));
    const alarmIds = (client: Client) => client.messages.flatMap((m) => (m.type === 'alarm' ? [String(m.alarm.alarmId)] : [])).sort();
    await waitFor(() => alarmIds(all).length === 2 && alarmIds(south).length === 1, 15_000, 'the alarms');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alarmIds(all)).toEqual(['A-north', 'A-south']);
    expect(alarmIds(south)).toEqual(['A-south']);
  });
});
