import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/api/http';
import type { Session } from '../src/api/session';

const api = vi.hoisted(() => ({ fetchSession: vi.fn(), signIn: vi.fn(), signOut: vi.fn() }));
vi.mock('../src/api/session', () => api);

const { useSessionStore } = await import('../src/stores/session');

const planner: Session = { user: { id: '7', username: 'li', displayName: 'Li Na', role: 'parts_planner', regions: ['east'] }, permissions: ['dashboards:read'] };

describe('session store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.resetAllMocks();
  });

  it('asks the API once and remembers the answer', async () => {
    api.fetchSession.mockResolvedValue(planner);
    const store = useSessionStore();
    const [a, b] = await Promise.all([store.ensureLoaded(), store.ensureLoaded()]);
    expect(a).toEqual(planner);
    expect(b).toEqual(planner);
    await store.ensureLoaded();
    expect(api.fetchSession).toHaveBeenCalledTimes(1);
    expect(store.user?.displayName).toBe('Li Na');
  });

  it('takes a 401 for "nobody is signed in", but lets an unreachable API surface as an error', async () => {
    api.fetchSession.mockRejectedValueOnce(new ApiError(401, 'no session'));
    const store = useSessionStore();
    await expect(store.ensureLoaded()).resolves.toBeNull();
    setActivePinia(createPinia());
    api.fetchSession.mockRejectedValueOnce(new ApiError(0, 'unreachable'));
    await expect(useSessionStore().ensureLoaded()).rejects.toMatchObject({ status: 0 });
  });

  it('signs in and out', async () => {
    api.signIn.mockResolvedValue(planner);
    api.signOut.mockResolvedValue(undefined);
    const store = useSessionStore();
    await store.signIn('li', 'secret');
    expect(api.signIn).toHaveBeenCalledWith({ username: 'li', password: 'secret' });
    expect(store.permissions).toEqual(['dashboards:read']);
    await store.signOut();
    expect(store.session).toBeNull();
    expect(store.loaded).toBe(true);
  });
});
