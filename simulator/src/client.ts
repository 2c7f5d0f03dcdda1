import type { CollectionName, StreamName } from '@servicetower/domain';

export interface ClientOptions {
  /** Base URL of the API, e.g. http://127.0.0.1:8080 */
  url: string;
  /** An API key with the stream scopes and `reference`. */
  key: string;
  /** Attempts per request before giving up (429, 503, 5xx and network errors are retried). */
  attempts?: number;
}

export interface SendResult {
  accepted: number;
  rejectedCount: number;
  retries: number;
}

export class IngestError extends Error {}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/**
 * The simulator's only way in: the public API with an API key, like any other source.
 * Every batch carries an Idempotency-Key, so a retry after a lost answer is not stored twice.
 */
export class IngestClient {
  private readonly attempts: number;

  constructor(private readonly options: ClientOptions) {
    this.attempts = options.attempts ?? 12;
  }

  async putReference(collection: CollectionName, id: string, body: unknown): Promise<void> {
    await this.request('PUT', `/api/v1/${collection}/${encodeURIComponent(id)}`, JSON.stringify(body), {});
  }

  /** Whether the API already holds a network (any outlet), so that a restart does not send the history again. */
  async hasNetwork(): Promise<boolean> {
    const { body } = await this.request('GET', '/api/v1/outlets?limit=1', undefined, {});
    return (body as { items: unknown[] }).items.length > 0;
  }

  async send(stream: StreamName, records: readonly unknown[], idempotencyKey: string): Promise<SendResult> {
    const { body, retries } = await this.request('POST', `/api/v1/ingest/${stream}`, JSON.stringify(records), { 'idempotency-key': idempotencyKey });
    const summary = body as { accepted: number; rejectedCount: number; rejected: unknown[] };
    if (summary.rejectedCount > 0) {
      throw new IngestError(`${stream}: ${summary.rejectedCount} record(s) rejected, first: ${JSON.stringify(summary.rejected[0])}`);
    }
    return { accepted: summary.accepted, rejectedCount: summary.rejectedCount, retries };
  }

  private async request(method: string, path: string, payload: string | undefined, headers: Record<string, string>): Promise<{ body: unknown; retries: number }> {
    let lastProblem = '';
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      let wait = Math.min(500 * 2 ** attempt, 15_000);
      try {
        const response = await fetch(new URL(path, this.options.url), {
          method,
          body: payload,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.key}`, ...headers },
        });
        const text = await response.text();
        if (response.ok) return { body: text ? JSON.parse(text) : null, retries: attempt };
        lastProblem = `${response.status} ${text.slice(0, 300)}`;
        if (!RETRYABLE.has(response.status)) throw new IngestError(`${method} ${path}: ${lastProblem}`);
        const retryAfter = Number(response.headers.get('retry-after'));
        if (retryAfter > 0) wait = retryAfter * 1000;
      } catch (error) {
        if (error instanceof IngestError) throw error;
        lastProblem = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    throw new IngestError(`${method} ${path} failed after ${this.attempts} attempts: ${lastProblem}`);
  }
}
