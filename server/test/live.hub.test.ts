import { describe, expect, it } from 'vitest';
import { LiveHub, type LiveSocket } from '../src/live/hub.js';

const socket = (): LiveSocket & { sent: unknown[] } => {
  const sent: unknown[] = [];
  return { readyState: 1, bufferedAmount: 0, send: (data: string) => sent.push(JSON.parse(data)), close: () => {}, sent };
};
const subscribe = (topic: string, op = 'subscribe') => JSON.stringify({ op, topic });

describe('live hub: readings wanted only while a device is watched', () => {
  it('asks for readings at the first device subscription and lets them go after the last, whatever the order of leaving', async () => {
    const calls: boolean[] = [];
    const hub = new LiveHub(async () => 'north', 250, (wanted) => calls.push(wanted));
    const a = hub.connect(socket(), null);
    const b = hub.connect(socket(), null);

    await a.onMessage(subscribe('kpi'));
    await a.onMessage(subscribe('alarms'));
    expect(calls).toEqual([]); // no device watched: no readings needed

    await a.onMessage(subscribe('device:d-1'));
    await a.onMessage(subscribe('device:d-1')); // the same topic twice counts once
    await b.onMessage(subscribe('device:d-2'));
    expect(calls).toEqual([true]);

    await a.onMessage(subscribe('device:d-1', 'unsubscribe'));
    await a.onMessage(subscribe('device:d-1', 'unsubscribe'));
    expect(calls).toEqual([true]); // b still watches d-2

    b.onClose();
    b.onClose(); // 'error' then 'close'
    expect(calls).toEqual([true, false]);

    await a.onMessage(subscribe('device:d-3'));
    a.onClose();
    expect(calls).toEqual([true, false, true, false]);
  });

  it('does not count a device the client may not read', async () => {
    const calls: boolean[] = [];
    const hub = new LiveHub(async () => 'south', 250, (wanted) => calls.push(wanted));
    const client = socket();
    const handlers = hub.connect(client, ['north']);
    await handlers.onMessage(subscribe('device:d-9'));
    expect(client.sent).toEqual([expect.objectContaining({ type: 'error', topic: 'device:d-9' })]);
    expect(calls).toEqual([]);
  });
});
