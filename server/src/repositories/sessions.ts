import { createHash, randomBytes } from 'node:crypto';
import type { User } from '@servicetower/domain';
import type { Queryable } from '@servicetower/workers';
import { toUser, type UserRow } from './users.js';

/** A session's expiry moves forward at most this often, so that a busy dashboard does not write on every request. */
const SLIDE_EVERY_SECONDS = 60;

const hash = (token: string) => createHash('sha256').update(token).digest();

/** A session's name that is not its secret: the hex SHA-256 of its token, the user_session row's key. */
export const sessionId = (token: string): string => hash(token).toString('hex');

/** Starts a session and returns its token, the cookie's value: the only time it exists in clear. */
export async function createSession(db: Queryable, userId: string, ttlHours: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO user_session (token_hash, user_id, expires_at) VALUES ($1::bytea, $2::bigint, now() + $3::float8 * interval '1 hour')`,
    [hash(token), userId, ttlHours],
  );
  return token;
}

/**
 * The enabled user whose unexpired session the token opens, or null. Each use moves the expiry to
 * `ttlHours` from now (at most once a minute).
 */
export async function findSessionUser(db: Queryable, token: string, ttlHours: number): Promise<User | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const { rows } = await db.query<UserRow & { stale: boolean }>(
    `SELECT u.*, s.last_seen < now() - $2::float8 * interval '1 second' AS stale
     FROM user_session s JOIN app_user u USING (user_id)
     WHERE s.token_hash = $1::bytea AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [hash(token), SLIDE_EVERY_SECONDS],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.stale) {
    await db.query(
      `UPDATE user_session SET last_seen = now(), expires_at = now() + $2::float8 * interval '1 hour' WHERE token_hash = $1::bytea`,
      [hash(token), ttlHours],
    );
  }
  return toUser(row);
}

/** The enabled users of the unexpired sessions among `ids` (as sessionId gives them), by session id. */
export async function activeSessionUsers(db: Queryable, ids: string[]): Promise<Map<string, User>> {
  const { rows } = await db.query<UserRow & { session_id: string }>(
    `SELECT encode(s.token_hash, 'hex') AS session_id, u.*
     FROM user_session s JOIN app_user u USING (user_id)
     WHERE s.token_hash = ANY(SELECT decode(id, 'hex') FROM unnest($1::text[]) AS id)
       AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [ids],
  );
  return new Map(rows.map((row) => [row.session_id, toUser(row)]));
}

export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.query('DELETE FROM user_session WHERE token_hash = $1::bytea', [hash(token)]);
}

/** Signs a user out everywhere: after disabling them or changing their password. */
export async function deleteUserSessions(db: Queryable, userId: string): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM user_session WHERE user_id = $1::bigint', [userId]);
  return rowCount ?? 0;
}

export async function deleteExpiredSessions(db: Queryable): Promise<void> {
  await db.query('DELETE FROM user_session WHERE expires_at <= now()');
}
