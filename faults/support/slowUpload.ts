// An NDJSON upload that stays open: the API claims its Idempotency-Key as soon as the headers
// arrive and reads the lines as they come, so a fault can be injected while the claim is held.
import http from 'node:http';

export interface SlowUpload {
  /** The first lines are sent; the request stays open. */
  readonly answer: Promise<{ status: number; body: string } | { error: string }>;
  /** Sends the remaining lines and ends the body. */
  finish(lines: readonly object[]): void;
}

export function startSlowUpload(baseUrl: string, key: string, stream: string, idempotencyKey: string, firstLines: readonly object[]): SlowUpload {
  const request = http.request(`${baseUrl}/api/v1/ingest/${stream}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson', 'idempotency-key': idempotencyKey, 'transfer-encoding': 'chunked' },
  });
  const answer = new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', (error) => resolve({ error: error.message }));
    });
    request.on('error', (error: Error & { code?: string }) => resolve({ error: error.code ?? error.message }));
  });
  request.write(firstLines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  return {
    answer,
    finish(lines) {
      if (request.destroyed) return;
      request.end(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    },
  };
}

/** A JSON POST with an Idempotency-Key; the status and body. */
export async function postJson(baseUrl: string, key: string, stream: string, idempotencyKey: string, records: readonly object[]): Promise<{ status: number; body: string }> {
  const response = await fetch(`${baseUrl}/api/v1/ingest/${stream}`, {
    method: 'POST',
    body: JSON.stringify(records),
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
  });
  return { status: response.status, body: await response.text() };
}
