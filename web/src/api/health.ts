/** What GET /readyz answers: each check is 'ok' or the reason it failed. */
export interface Readiness {
  status: 'ok' | 'unavailable';
  checks: { database: string; redis: string };
}

/**
 * Asks the API whether it can serve requests. A 503 still carries a readiness
 * report (status 'unavailable'), so it resolves; anything else that is not a
 * report rejects with an Error whose message says what to do.
 */
export async function fetchReadiness(signal?: AbortSignal): Promise<Readiness> {
  let response: Response;
  try {
    response = await fetch('/readyz', { headers: { accept: 'application/json' }, signal });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new Error('Could not reach the API: check that the server is running (npm start) and reload this page.', { cause });
  }
  const body: unknown = await response.json().catch(() => undefined);
  if ((response.ok || response.status === 503) && isReadiness(body)) return body;
  throw new Error(
    `The API answered ${String(response.status)} to /readyz without a readiness report: check that the server is running (npm start) and read its log, then reload this page.`,
  );
}

function isReadiness(value: unknown): value is Readiness {
  if (typeof value !== 'object' || value === null) return false;
  const { status, checks } = value as Record<string, unknown>;
  if (status !== 'ok' && status !== 'unavailable') return false;
  if (typeof checks !== 'object' || checks === null) return false;
  const { database, redis } = checks as Record<string, unknown>;
  return typeof database === 'string' && typeof redis === 'string';
}
