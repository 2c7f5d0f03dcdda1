import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { ApiError } from '../api/http';
import { fetchSession, signIn as postSession, signOut as deleteSession, type Session } from '../api/session';

/** Who is signed in. Loaded once before the first guarded route; cleared by sign-out or any 401. */
export const useSessionStore = defineStore('session', () => {
  const session = shallowRef<Session | null>(null);
  const loaded = ref(false);
  let pending: Promise<Session | null> | null = null;

  /** The session, asking the API the first time only; a 401 means nobody is signed in. */
  function ensureLoaded(): Promise<Session | null> {
    if (loaded.value) return Promise.resolve(session.value);
    pending ??= fetchSession()
      .then((s) => (session.value = s))
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status !== 0 && error.status < 500) return (session.value = null);
        throw error;
      })
      .then((s) => {
        loaded.value = true;
        return s;
      })
      .finally(() => (pending = null));
    return pending;
  }

  async function signIn(username: string, password: string): Promise<Session> {
    const s = await postSession({ username, password });
    session.value = s;
    loaded.value = true;
    return s;
  }

  async function signOut(): Promise<void> {
    try {
      await deleteSession();
    } finally {
      clear();
    }
  }

  /** Takes the session as the API now gives it (after the server ended a live connection whose reach changed). */
  function replace(next: Session): void {
    session.value = next;
    loaded.value = true;
  }

  /** Forgets the user without asking the API (its answer was 401: the session is gone already). */
  function clear(): void {
    session.value = null;
    loaded.value = true;
  }

  const user = computed(() => session.value?.user ?? null);
  const permissions = computed(() => session.value?.permissions ?? []);

  return { session, loaded, user, permissions, ensureLoaded, signIn, signOut, replace, clear };
});
