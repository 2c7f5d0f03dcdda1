import { randomBytes } from 'node:crypto';
import { inTransaction, type Pool } from '@servicetower/workers';
import { hashPassword } from '../auth/passwords.js';
import { writeAudit } from '../repositories/audit.js';
import { createFirstUser, hasUsers } from '../repositories/users.js';

export const FIRST_ADMIN = 'admin';

/**
 * A new installation has no one to sign in as: while there is no user at all, creates `admin` with a random
 * password and returns it, to be shown once. Null once any user exists.
 */
export async function createFirstAdmin(pool: Pool): Promise<{ username: string; password: string } | null> {
  if (await hasUsers(pool)) return null;
  const password = randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password);
  const user = await inTransaction(pool, async (db) => {
    const created = await createFirstUser(db, { username: FIRST_ADMIN, displayName: 'Administrator', role: 'admin', regions: null, passwordHash });
    if (created) await writeAudit(db, { kind: 'system', id: 'start', name: 'npm start' }, 'user.create', `user:${created.id}`, { username: FIRST_ADMIN, role: 'admin', first: true });
    return created;
  });
  return user ? { username: user.username, password } : null;
}
