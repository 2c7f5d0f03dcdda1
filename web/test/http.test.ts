import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, buildUrl, getJson, itemsOf, onUnauthorized, sendJson } from '../src/api/http';
import { fetchSession } from '../src/api/session';

function answer(status: number, body?: unknown) {
  return vi.fn(async () => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
}

afterEach(() => {
  vi.unstubAllGlobals();
  onUnauthorized(undefined);
});

describe('API fetch wrapper', () => {
  it('leaves empty filters out of the query', () => {
    expect(buildUrl('/api/v1/kpi/overview', { from: '2026-01-01', region: null, outlet: undefined, productLine: '' })).toBe('/api/v1/kpi/overview?from=2026-01-01');
    expect(buildUrl('/x')).toBe('/x');
  });

  it('marks state-changing requests with X-Requested-With and sends JSON', async () => {
    const fetch = answer(200, { ok: true });
    vi.stubGlobal('fetch', fetch);
    await sendJson('POST', '/api/v1/alarms/1/acknowledge', { note: 'x' });
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({ 'x-requested-with': 'fetch', 'content-type': 'application/json' });
    expect(init.body).toBe('{"note":"x"}');
    await getJson('/api/v1/alarms');
    const [, get] = fetch.mock.calls[1] as unknown as [string, RequestInit];
    expect(get.headers).not.toHaveProperty('x-requested-with');
  });

  it('keeps the server’s message, and sends every 401 but the session probe’s to the sign-in handler', async () => {
    const handler = vi.fn();
    onUnauthorized(handler);
    vi.stubGlobal('fetch', answer(401, { statusCode: 401, error: 'Unauthorized', message: 'Sign in again.' }));
    await expect(getJson('/api/v1/kpi/overview')).rejects.toMatchObject({ status: 401, message: 'Sign in again.' });
    expect(handler).toHaveBeenCalledTimes(1);
    await expect(fetchSession()).rejects.toBeInstanceOf(ApiError);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('says what to do when the API cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('fetch failed'))));
    await expect(getJson('/api/v1/alarms')).rejects.toMatchObject({ status: 0, message: expect.stringContaining('Could not reach the API') });
  });

  it('answers nothing for 204 and accepts bare or wrapped lists', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 204 })));
    await expect(sendJson('DELETE', '/api/v1/session')).resolves.toBeUndefined();
    expect(itemsOf([1, 2])).toEqual([1, 2]);
    expect(itemsOf({ items: [3] })).toEqual([3]);
  });
});
