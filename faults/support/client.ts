// A source system as the ingestion contract expects one to behave: every batch has its own
// Idempotency-Key, kept across retries; network errors, timeouts, 5xx, 429 and 409 (the same key
// still being processed) are retried, honouring Retry-After; only what the API acknowledged
// (202, or 207 with per-record outcomes) counts as delivered.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { sleep } from './wait.js';

/** One try of one request: when it went out, when it ended, and how ("202", "503", "ECONNREFUSED", "timeout"). */
export interface Attempt {
  sentAt: number;
  endedAt: number;
  outcome: string;
  /** The answer carried `idempotent-replayed: true`: the first try's stored answer. */
  replayed: boolean;
}

export interface Delivery {
  stream: string;
  idempotencyKey: string;
  records: number;
  attempts: Attempt[];
  /** When the API acknowledged it (202/207), or null. */
  ackAt: number | null;
  /** Per record: acknowledged (accepted) or not (rejected, or never answered). */
  acked: boolean[];
  /** Why the client stopped trying without an acknowledgement (a 4xx it cannot fix, or its patience ran out). */
  gaveUp: string | null;
}

export interface DeliveryHooks {
  /** A try goes out. */
  onSend?: () => void;
  /** A try ended. */
  onAttempt?: (attempt: Attempt) => void;
}

export interface RetryPolicy {
  /** Time allowed to the n-th try (from 0), from sending to the whole answer. */
  timeoutMs(attempt: number): number;
  /** The client stops retrying a batch after this long (a real source would alert someone). */
  patienceMs: number;
  /**
   * 409 (the same key still in progress) for this long in a row: nothing can still be processing a
   * batch this small, so the claim is stale; the client stops and reports it.
   */
  inProgressPatienceMs: number;
}

// A claim left by a request that could not finish is a 30-second lease (server/src/ingest/idempotency.ts): 45 s of 409 is beyond it.
export const NORMAL_POLICY: RetryPolicy = { timeoutMs: () => 30_000, patienceMs: 90_000, inProgressPatienceMs: 45_000 };
/** How a given-up batch's reason starts when its Idempotency-Key stayed "in progress" (409) past inProgressPatienceMs. */
export const STALE_CLAIM = 'stale Idempotency-Key claim';

const MAX_RETRY_AFTER_MS = 30_000;
const IN_PROGRESS_WAIT_MS = 500;

interface Answer {
  status: number;
  retryAfterMs: number | null;
  replayed: boolean;
  body: string;
}

export class SourceClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  /** Sends one batch until it is acknowledged or the client gives up; resolves with what happened. */
  async deliver(stream: string, records: readonly object[], policy: () => RetryPolicy, hooks: DeliveryHooks = {}): Promise<Delivery> {
    const body = JSON.stringify(records);
    const delivery: Delivery = {
      stream, idempotencyKey: randomUUID(), records: records.length, attempts: [], ackAt: null, acked: records.map(() => false), gaveUp: null,
    };
    const started = Date.now();
    let inProgressSince: number | null = null;
    for (let n = 0; ; n++) {
      const sentAt = Date.now();
      let answer: Answer | null = null;
      let outcome: string;
      hooks.onSend?.();
      try {
        answer = await this.post(`/api/v1/ingest/${stream}`, body, delivery.idempotencyKey, policy().timeoutMs(n));
        outcome = String(answer.status);
      } catch (error) {
        outcome = errorName(error);
      }
      const attempt: Attempt = { sentAt, endedAt: Date.now(), outcome, replayed: answer?.replayed ?? false };
      delivery.attempts.push(attempt);
      hooks.onAttempt?.(attempt);
      if (answer && (answer.status === 202 || answer.status === 207)) {
        delivery.ackAt = attempt.endedAt;
        delivery.acked = acknowledged(answer, records.length);
        return delivery;
      }
      if (answer && !retryable(answer.status)) {
        delivery.gaveUp = `${answer.status} ${answer.body.slice(0, 300)}`;
        return delivery;
      }
      inProgressSince = answer?.status === 409 ? (inProgressSince ?? attempt.endedAt) : null;
      if (inProgressSince !== null && attempt.endedAt - inProgressSince > policy().inProgressPatienceMs) {
        delivery.gaveUp = `${STALE_CLAIM}: 409 (still being processed) for ${Math.round((attempt.endedAt - inProgressSince) / 1000)} s, ${delivery.attempts.length} tries`;
        return delivery;
      }
      const wait = answer?.retryAfterMs ?? (answer?.status === 409 ? IN_PROGRESS_WAIT_MS : backoff(n));
      if (Date.now() + wait - started > policy().patienceMs) {
        delivery.gaveUp = `no acknowledgement after ${delivery.attempts.length} tries in ${Math.round((Date.now() - started) / 1000)} s (last: ${outcome})`;
        return delivery;
      }
      await sleep(wait);
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private post(path: string, body: string, idempotencyKey: string, timeoutMs: number): Promise<Answer> {
    const headers = {
      authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'idempotency-key': idempotencyKey,
    };
    return new Promise((resolve, reject) => {
      const request = http.request(`${this.baseUrl}${path}`, { method: 'POST', agent: this.agent, headers }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('error', reject);
        response.on('end', () => {
          clearTimeout(timer);
          const retryAfter = Number(response.headers['retry-after']);
          resolve({
            status: response.statusCode ?? 0,
            retryAfterMs: Number.isFinite(retryAfter) && response.headers['retry-after'] !== undefined ? Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS) : null,
            replayed: response.headers['idempotent-replayed'] === 'true',
            body: text,
          });
        });
      });
      // The whole exchange, not just an idle socket: a source system waits so long for an answer, then gives the try up.
      const timer = setTimeout(() => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })), timeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(body);
    });
  }
}

/** 409: the same key is still being processed; 429 and 503: come back later; other 5xx: our side failed. */
function retryable(status: number): boolean {
  return status === 409 || status === 429 || status >= 500;
}

/** 100 ms doubling to 2 s, with ±20 % jitter, for failures that give no Retry-After. */
function backoff(n: number): number {
  return Math.min(100 * 2 ** n, 2000) * (0.8 + Math.random() * 0.4);
}

/** Which records a 202 (rejected ones listed by index) or a 207 (per-record results) acknowledged. */
function acknowledged(answer: Answer, count: number): boolean[] {
  const body = JSON.parse(answer.body) as {
    rejected?: { index: number }[]; rejectedCount?: number; results?: { index: number; status: number | string }[];
  };
  if (body.results) {
    const ok = new Set(body.results.filter((r) => r.status === 202 || r.status === 'accepted' || r.status === 'ok').map((r) => r.index));
    return Array.from({ length: count }, (_, i) => ok.has(i));
  }
  const rejected = new Set((body.rejected ?? []).map((r) => r.index));
  if ((body.rejectedCount ?? 0) !== rejected.size) throw new Error(`The answer lists ${rejected.size} of ${body.rejectedCount} rejections: per-record outcomes unknown.`);
  return Array.from({ length: count }, (_, i) => !rejected.has(i));
}

function errorName(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'TIMEOUT') return 'timeout';
  return typeof code === 'string' ? code : (error as Error).message.slice(0, 60);
}
