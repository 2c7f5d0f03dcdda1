import {
  compileValidator, LiveClientMessage, mergeSensorSummary,
  type ChangeNotice, type LiveServerMessage, type ReadingsNotice, type SensorSummary,
} from '@servicetower/domain';

/** What the hub needs of a WebSocket (the `ws` socket fits). */
export interface LiveSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code: number, reason: string): void;
}

/**
 * What a client connected with, to check again while it stays connected: `id` names the API key or
 * session (never its secret), `reach` sums up the scopes and regions it had at connection.
 */
export interface LiveCredential {
  id: string;
  reach: string;
}

/** For each credential still valid, its reach now; a credential missing from the answer has ended. */
export type CurrentReach = (ids: string[]) => Promise<Map<string, string>>;

/** The WebSocket close code for a policy violation: here, a revoked key or an ended sign-in. */
export const CLOSE_CREDENTIAL_ENDED = 1008;

/** The region of a device (null: unknown device), as the hub checks a subscriber's scope with it. */
export type RegionOfDevice = (deviceId: string) => Promise<string | null>;

const OPEN = 1;
/** Past this many bytes queued for a slow client, readings keep coalescing instead of being sent. */
const MAX_BUFFERED_BYTES = 1 << 20;
const MAX_TOPICS = 200;
const validMessage = compileValidator<LiveClientMessage>(LiveClientMessage);

/** One connected client: its key's reach, its topics, and the readings waiting for its next message. */
class LiveClient {
  readonly topics = new Set<string>();
  private readonly pending = new Map<string, Record<string, SensorSummary>>();
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = 0;

  constructor(
    readonly socket: LiveSocket,
    /** null: every region. */
    readonly regions: string[] | null,
    readonly credential: LiveCredential | null,
    private readonly throttleMs: number,
  ) {}

  send(message: LiveServerMessage): void {
    if (this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Coalesces a device's readings; they leave at most once per throttle interval, as one message per device. */
  addReadings(deviceId: string, sensors: Record<string, SensorSummary>): void {
    const waiting = this.pending.get(deviceId) ?? {};
    for (const [sensor, summary] of Object.entries(sensors)) waiting[sensor] = mergeSensorSummary(waiting[sensor], summary);
    this.pending.set(deviceId, waiting);
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.lastFlush + this.throttleMs - Date.now()));
  }

  private flush(): void {
    this.timer = null;
    if (this.socket.readyState !== OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.timer = setTimeout(() => this.flush(), this.throttleMs);
      return;
    }
    this.lastFlush = Date.now();
    for (const [deviceId, sensors] of this.pending) this.send({ type: 'readings', topic: `device:${deviceId}`, deviceId, sensors });
    this.pending.clear();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.pending.clear();
    this.topics.clear();
  }
}

/**
 * The API instance's side of the live channel: clients and their topics, fed by the notices the
 * workers publish on Redis (every instance receives them all, and relays to its own clients).
 */
export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  /** Device topics subscribed, over all clients: while none, this instance need not receive readings. */
  private deviceSubscriptions = 0;

  /** `onReadingsWanted` is told when the first device subscription arrives (true) and the last one goes (false). */
  constructor(
    private readonly regionOf: RegionOfDevice,
    private readonly throttleMs: number,
    private readonly onReadingsWanted: (wanted: boolean) => void = () => {},
  ) {}

  private countDeviceTopic(topic: string, delta: 1 | -1): void {
    if (!topic.startsWith('device:')) return;
    const before = this.deviceSubscriptions;
    this.deviceSubscriptions += delta;
    if (before === 0 || this.deviceSubscriptions === 0) this.onReadingsWanted(this.deviceSubscriptions > 0);
  }

  get size(): number {
    return this.clients.size;
  }

  /** Registers a socket; returns the handlers for its messages and its close. */
  connect(socket: LiveSocket, regions: string[] | null, credential: LiveCredential | null = null) {
    const client = new LiveClient(socket, regions, credential, this.throttleMs);
    this.clients.add(client);
    return {
      // A failed scope lookup (the database away) answers the client; it must never become an unhandled rejection.
      onMessage: (data: string) =>
        this.handle(client, data).catch(() => client.send({ type: 'error', message: 'The subscription could not be checked just now: send it again.' })),
      onClose: () => void this.drop(client), // 'error' and 'close' may both arrive: the second finds it gone
    };
  }

  private drop(client: LiveClient): boolean {
    if (!this.clients.delete(client)) return false;
    for (const topic of client.topics) this.countDeviceTopic(topic, -1);
    client.close();
    return true;
  }

  /**
   * Checks every client's credential again and closes the sockets whose key was revoked, whose sign-in
   * ended (signed out, expired, user disabled or given a new password) or whose role or regions changed:
   * a connection keeps no more reach than a new request would get. Returns how many were closed.
   */
  async recheck(currentReach: CurrentReach): Promise<number> {
    const checked = [...this.clients].filter((client) => client.credential !== null);
    if (checked.length === 0) return 0;
    const current = await currentReach([...new Set(checked.map((client) => client.credential!.id))]);
    let closed = 0;
    for (const client of checked) {
      const { id, reach } = client.credential!;
      if (current.get(id) === reach || !this.clients.has(client)) continue;
      client.send({ type: 'error', message: 'Your API key was revoked or your sign-in ended or changed: connect again with valid credentials.' });
      client.socket.close(CLOSE_CREDENTIAL_ENDED, 'credentials ended');
      if (this.drop(client)) closed += 1;
    }
    return closed;
  }

  private async handle(client: LiveClient, data: string): Promise<void> {
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return client.send({ type: 'error', message: 'Messages are JSON: {"op":"subscribe","topic":"device:<id>"} (or "alarms", "kpi").' });
    }
    if (!validMessage.check(message)) {
      const errors = validMessage.errors(message).map((e) => `${e.path || '/'} ${e.message}`).join('; ');
      return client.send({ type: 'error', message: `${errors}. Send {"op":"subscribe"|"unsubscribe","topic":"device:<id>"|"alarms"|"kpi"}.` });
    }
    const { op, topic } = message;
    if (op === 'unsubscribe') {
      if (client.topics.delete(topic)) this.countDeviceTopic(topic, -1);
      return client.send({ type: 'unsubscribed', topic });
    }
    if (client.topics.size >= MAX_TOPICS) {
      return client.send({ type: 'error', topic, message: `At most ${MAX_TOPICS} topics per connection: unsubscribe from some first.` });
    }
    if (topic.startsWith('device:') && !(await this.mayRead(client, topic.slice('device:'.length)))) {
      return client.send({ type: 'error', topic, message: `Device ${topic.slice(7)} is unknown or outside this API key's regions.` });
    }
    if (!client.topics.has(topic) && this.clients.has(client)) {
      client.topics.add(topic);
      this.countDeviceTopic(topic, 1);
    }
    client.send({ type: 'subscribed', topic });
  }

  private async mayRead(client: LiveClient, deviceId: string): Promise<boolean> {
    const region = await this.regionOf(deviceId);
    return region !== null && (client.regions === null || client.regions.includes(region));
  }

  readings(notice: ReadingsNotice): void {
    for (const { deviceId, sensors } of notice.devices) {
      const topic = `device:${deviceId}`;
      for (const client of this.clients) if (client.topics.has(topic)) client.addReadings(deviceId, sensors);
    }
  }

  /** A key limited to regions learns that a stream changed over a time range, not how many records of other regions did. */
  change(notice: ChangeNotice): void {
    const { stream, from, to, count } = notice;
    for (const client of this.clients) {
      if (client.topics.has('kpi')) client.send({ type: 'change', topic: 'kpi', stream, from, to, count: client.regions === null ? count : null });
    }
  }

  /** An alarm reaches the clients that may read its device. */
  async alarm(alarm: Record<string, unknown>): Promise<void> {
    const listeners = [...this.clients].filter((client) => client.topics.has('alarms'));
    if (listeners.length === 0) return;
    const deviceId = String(alarm.deviceId ?? alarm.device_id ?? '');
    const region = deviceId ? await this.regionOf(deviceId) : null;
    for (const client of listeners) {
      if (client.regions === null || (region !== null && client.regions.includes(region))) client.send({ type: 'alarm', topic: 'alarms', alarm });
    }
  }

  close(): void {
    for (const client of this.clients) client.close();
    this.clients.clear();
  }
}
