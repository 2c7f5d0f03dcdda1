import type { LiveServerMessage } from '@servicetower/domain';

/**
 * The client of the live channel (GET /api/v1/live, a WebSocket): one connection for the whole app,
 * topics reference-counted, re-subscribed after a reconnect, and reconnects spaced by exponential backoff
 * with jitter so that a restarted server is not stormed by every open dashboard at once.
 */

/** What a topic handler receives: the server's messages, and `reconnected` when messages may have been missed. */
export type LiveMessage = LiveServerMessage | { type: 'reconnected'; topic: string };
export type LiveHandler = (message: LiveMessage) => void;
export type LiveStatus = 'idle' | 'connecting' | 'open' | 'waiting';

/** The part of the browser WebSocket the client uses, so tests can stand in for it. */
export interface LiveSocket {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(): void;
}

export interface LiveClientOptions {
  url: () => string;
  createSocket: (url: string) => LiveSocket;
  onStatus?: (status: LiveStatus) => void;
  /**
   * The server closed the connection because its key or sign-in ended or changed (close code 1008): the
   * app checks the session (a 401 sends the user to sign in; a changed role or regions is taken on). The
   * client reconnects as after any close, unless reset meanwhile.
   */
  onCredentialsEnded?: () => void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  random?: () => number;
}

const OPEN = 1;
/** The close code the server sends when the connection's key was revoked or its sign-in ended or changed. */
export const CLOSE_CREDENTIALS_ENDED = 1008;
const MAX_DELAY_MS = 30_000;

/** The wait before reconnect attempt `attempt` (0 first): 1 s doubling to 30 s, each between half and all of it. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, 1000 * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class LiveClient {
  private socket: LiveSocket | null = null;
  private readonly handlers = new Map<string, Set<LiveHandler>>();
  private attempt = 0;
  private timer: unknown = null;
  private everOpened = false;
  private status: LiveStatus = 'idle';
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(private readonly options: LiveClientOptions) {
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  get currentStatus(): LiveStatus {
    return this.status;
  }

  /** Listens to a topic (device:<id>, alarms, kpi); the returned function stops listening. */
  subscribe(topic: string, handler: LiveHandler): () => void {
    let set = this.handlers.get(topic);
    if (!set) {
      set = new Set();
      this.handlers.set(topic, set);
      this.send({ op: 'subscribe', topic });
    }
    set.add(handler);
    this.ensureConnected();
    return () => this.unsubscribe(topic, handler);
  }

  /** Closes the connection and forgets every topic (on sign-out). */
  reset(): void {
    this.handlers.clear();
    this.disconnect();
  }

  private unsubscribe(topic: string, handler: LiveHandler): void {
    const set = this.handlers.get(topic);
    if (!set?.delete(handler) || set.size > 0) return;
    this.handlers.delete(topic);
    this.send({ op: 'unsubscribe', topic });
    if (this.handlers.size === 0) this.disconnect();
  }

  private ensureConnected(): void {
    if (this.socket !== null || this.timer !== null) return;
    this.connect();
  }

  private connect(): void {
    this.timer = null;
    if (this.handlers.size === 0) return this.setStatus('idle');
    this.setStatus('connecting');
    const socket = this.options.createSocket(this.options.url());
    this.socket = socket;
    socket.onopen = () => {
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.setStatus('open');
      for (const topic of this.handlers.keys()) this.send({ op: 'subscribe', topic });
      if (reconnected) for (const topic of this.handlers.keys()) this.dispatch({ type: 'reconnected', topic });
    };
    socket.onmessage = (event) => this.onMessage(event.data);
    socket.onclose = (event) => this.onClose(socket, event.code);
    socket.onerror = () => socket.close();
  }

  private onClose(socket: LiveSocket, code: number | undefined): void {
    if (this.socket !== socket) return;
    this.socket = null;
    if (code === CLOSE_CREDENTIALS_ENDED) this.options.onCredentialsEnded?.();
    if (this.handlers.size === 0) return this.setStatus('idle');
    this.setStatus('waiting');
    this.timer = this.setTimer(() => this.connect(), backoffDelay(this.attempt, this.options.random));
    this.attempt += 1;
  }

  private disconnect(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    this.attempt = 0;
    this.everOpened = false;
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
    this.setStatus('idle');
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: LiveServerMessage;
    try {
      message = JSON.parse(data) as LiveServerMessage;
    } catch {
      return;
    }
    if ('topic' in message && typeof message.topic === 'string') this.dispatch(message);
  }

  private dispatch(message: LiveMessage & { topic?: string }): void {
    if (message.topic === undefined) return;
    for (const handler of this.handlers.get(message.topic) ?? []) handler(message);
  }

  private send(message: { op: 'subscribe' | 'unsubscribe'; topic: string }): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private setStatus(status: LiveStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.options.onStatus?.(status);
  }
}
