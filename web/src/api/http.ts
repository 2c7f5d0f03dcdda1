/**
 * The one fetch wrapper every API function goes through: JSON in and out, the server's error message
 * kept, `X-Requested-With: fetch` on every state-changing request (the session cookie's CSRF guard), and
 * any 401 handed to the handler that sends the user to the sign-in view.
 */

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

/** An API answer that is not a success. `status` 0: the API could not be reached at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let unauthorizedHandler: ((error: ApiError) => void) | undefined;

/** Called with every 401 except the session probe's own (which only means "not signed in"). */
export function onUnauthorized(handler: ((error: ApiError) => void) | undefined): void {
  unauthorizedHandler = handler;
}

/** The path with its query; undefined, null and '' values are left out. */
export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** The session probe: a 401 there is an answer, not an interruption. */
  quietUnauthorized?: boolean;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-requested-with'] = 'fetch';
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (cause) {
    if (options.signal?.aborted) throw cause;
    throw new ApiError(0, 'Could not reach the API: check your connection and that the server is running, then retry.');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const body: unknown = text === '' ? undefined : safeJson(text);
  if (!response.ok) {
    const error = new ApiError(response.status, errorMessage(response.status, body), body);
    if (response.status === 401 && !options.quietUnauthorized) unauthorizedHandler?.(error);
    throw error;
  }
  return body as T;
}

export const getJson = <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>(path, { query, signal });

export const sendJson = <T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, query?: Query) =>
  request<T>(path, { method, body, query });

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorMessage(status: number, body: unknown): string {
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  return `The API answered ${status}: retry, and if it keeps failing read the server log.`;
}

/** Paged lists answer { items, next }; the admin lists may answer a bare array. Either way: the rows. */
export function itemsOf<T>(body: { items: T[] } | T[]): T[] {
  return Array.isArray(body) ? body : body.items;
}
