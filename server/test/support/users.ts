import type { Role, User } from '@servicetower/domain';
import { hashPassword } from '../../src/auth/passwords.js';
import { createUser } from '../../src/repositories/users.js';
import type { App, Harness } from './harness.js';

export const PASSWORD = 'correct horse battery';
/** What the dashboard's own requests carry: an Origin naming the host that light-my-request sends by default. */
export const SAME_SITE = { origin: 'http://localhost' };

export async function createTestUser(h: Harness, username: string, role: Role, regions: string[] | null = null, password = PASSWORD): Promise<User> {
  const user = await createUser(h.pool, { username, displayName: username, role, regions, passwordHash: await hashPassword(password) });
  if (!user) throw new Error(`user ${username} exists already`);
  return user;
}

/** Signs in and returns the `cookie` header that carries the session, with the answer. */
export async function signIn(app: App, username: string, password = PASSWORD) {
  const response = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password }, headers: SAME_SITE });
  const cookie = response.cookies.find((c) => c.name === 'st_session');
  return { response, cookie: cookie ? `st_session=${cookie.value}` : '', token: cookie?.value ?? '' };
}

/** Headers of a request the signed-in dashboard sends. */
export const asUser = (cookie: string) => ({ cookie, ...SAME_SITE });
