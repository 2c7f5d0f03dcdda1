import { describe, expect, it } from 'vitest';
import { backoffDelay, LiveClient, type LiveMessage, type LiveSocket } from '../src/lib/live';

class FakeSocket implements LiveSocket {
  readyState = 0;
  sent: string[] = [];
  closed = false;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code?: number }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(code?: number) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

function harness(onCredentialsEnded?: () => void) {
  const sockets: FakeSocket[] = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  const statuses: string[] = [];
  const client = new LiveClient({
    url: () => 'ws://test/api/v1/live',
    createSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    onStatus: (s) => statuses.push(s),
    setTimer: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimer: () => {},
    random: () => 0.5,
    onCredentialsEnded,
  });
  return { client, sockets, timers, statuses };
}

const ops = (s: FakeSocket) => s.sent.map((m) => JSON.parse(m) as { op: string; topic: string });

describe('live channel client', () => {
  it('backs off exponentially with jitter up to 30 s', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(3, () => 1)).toBe(8000);
    expect(backoffDelay(10, () => 1)).toBe(30_000);
    expect(backoffDelay(10, () => 0)).toBe(15_000);
  });

  it('tells the app when the server ends the connection\'s credentials (1008), and not on other closes', () => {
    let ended = 0;
    const { client, sockets, timers } = harness(() => (ended += 1));
    client.subscribe('alarms', () => {});
    sockets[0]!.open();
    sockets[0]!.drop(1006);
    expect(ended).toBe(0);
    timers.at(-1)!.fn();
    sockets[1]!.open();
    sockets[1]!.drop(1008);
    expect(ended).toBe(1);
    // It still reconnects, as the session may only have changed; a 401 on the check resets the client.
    expect(timers).toHaveLength(2);
  });

  it('connects on the first subscription and subscribes each topic once it is open', () => {
    const { client, sockets } = harness();
    const a: LiveMessage[] = [];
    client.subscribe('kpi', (m) => a.push(m));
    client.subscribe('kpi', () => {});
    client.subscribe('device:e1', () => {});
    expect(sockets).toHaveLength(1);
    sockets[0]!.open();
    expect(ops(sockets[0]!)).toEqual([{ op: 'subscribe', topic: 'kpi' }, { op: 'subscribe', topic: 'device:e1' }]);
    sockets[0]!.receive({ type: 'change', topic: 'kpi', stream: 'service-orders', from: 'a', to: 'b', count: 1 });
    sockets[0]!.receive({ type: 'readings', topic: 'device:e2', deviceId: 'e2', sensors: {} });
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ type: 'change', stream: 'service-orders' });
  });

  it('unsubscribes when the last listener of a topic leaves, and disconnects when none are left', () => {
    const { client, sockets } = harness();
    const stopA = client.subscribe('alarms', () => {});
    const stopB = client.subscribe('alarms', () => {});
    sockets[0]!.open();
    stopA();
    expect(ops(sockets[0]!)).toEqual([{ op: 'subscribe', topic: 'alarms' }]);
    stopB();
    expect(ops(sockets[0]!).at(-1)).toEqual({ op: 'unsubscribe', topic: 'alarms' });
    expect(sockets[0]!.closed).toBe(true);
    expect(client.currentStatus).toBe('idle');
  });

  it('reconnects after a drop with growing delays, re-subscribes, and tells listeners they may have missed messages', () => {
    const { client, sockets, timers, statuses } = harness();
    const got: LiveMessage[] = [];
    client.subscribe('alarms', (m) => got.push(m));
    sockets[0]!.open();
    sockets[0]!.drop();
    expect(timers.at(-1)!.ms).toBe(750);
    timers.at(-1)!.fn();
    sockets[1]!.drop();
    expect(timers.at(-1)!.ms).toBe(1500);
    timers.at(-1)!.fn();
    sockets[2]!.open();
    expect(ops(sockets[2]!)).toEqual([{ op: 'subscribe', topic: 'alarms' }]);
    expect(got).toEqual([{ type: 'reconnected', topic: 'alarms' }]);
    expect(statuses).toEqual(['connecting', 'open', 'waiting', 'connecting', 'waiting', 'connecting', 'open']);
    sockets[2]!.drop();
    expect(timers.at(-1)!.ms).toBe(750);
  });

  it('ignores messages it cannot read', () => {
    const { client, sockets } = harness();
    const got: LiveMessage[] = [];
    client.subscribe('kpi', (m) => got.push(m));
    sockets[0]!.open();
    sockets[0]!.onmessage?.({ data: 'not json' });
    sockets[0]!.onmessage?.({ data: new ArrayBuffer(2) });
    expect(got).toEqual([]);
  });
});
