import type { Role, User } from '@servicetower/domain';
import type { Queryable } from '@servicetower/workers';

export interface UserRow {
  user_id: string;
  username: string;
  display_name: string;
  role: Role;
  regions: string[] | null;
  password_hash: string;
  disabled_at: Date | null;
  created_at: Date;
}

/** A user as the API shows it: never the password hash. */
export const toUser = (row: UserRow): User => ({
  id: row.user_id,
  username: row.username,
  displayName: row.display_name,
  role: row.role,
  regions: row.regions,
  disabledAt: row.disabled_at?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(),
});

/** For the audit log: the fields that changed, with their values before and after (never the password). */
export function userChanges(before: User, after: User): Record<string, { from: unknown; to: unknown }> {
  const fields = ['displayName', 'role', 'regions', 'disabledAt'] as const;
  return Object.fromEntries(
    fields.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field])).map((field) => [field, { from: before[field], to: after[field] }]),
  );
}

export interface NewUserRow {
  username: string;
  displayName: string;
  role: Role;
  regions: string[] | null;
  passwordHash: string;
}

/** Null when the username is taken, whatever its case. */
export async function createUser(db: Queryable, user: NewUserRow): Promise<User | null> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO app_user (username, display_name, role, regions, password_hash)
     VALUES ($1::text, $2::text, $3::text, $4::text[], $5::text)
     ON CONFLICT ((lower(username))) DO NOTHING RETURNING *`,
    [user.username, user.displayName, user.role, user.regions, user.passwordHash],
  );
  return rows[0] ? toUser(rows[0]) : null;
}

/** Creates the user only while there is no user at all: the first admin of a new installation. */
export async function createFirstUser(db: Queryable, user: NewUserRow): Promise<User | null> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO app_user (username, display_name, role, regions, password_hash)
     SELECT $1::text, $2::text, $3::text, $4::text[], $5::text WHERE NOT EXISTS (SELECT 1 FROM app_user)
     ON CONFLICT ((lower(username))) DO NOTHING RETURNING *`,
    [user.username, user.displayName, user.role, user.regions, user.passwordHash],
  );
  return rows[0] ? toUser(rows[0]) : null;
}

export async function listUsers(db: Queryable): Promise<User[]> {
  const { rows } = await db.query<UserRow>('SELECT * FROM app_user ORDER BY lower(username)');
  return rows.map(toUser);
}

/** The user and their password hash, for signing in; the username matches whatever its case. */
export async function findUserForSignIn(db: Queryable, username: string): Promise<{ user: User; passwordHash: string } | null> {
  const { rows } = await db.query<UserRow>('SELECT * FROM app_user WHERE lower(username) = lower($1::text)', [username]);
  return rows[0] ? { user: toUser(rows[0]), passwordHash: rows[0].password_hash } : null;
}

export async function findUser(db: Queryable, id: string): Promise<User | null> {
  const { rows } = await db.query<UserRow>('SELECT * FROM app_user WHERE user_id = $1::bigint', [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

export interface UserUpdate {
  displayName?: string;
  role?: Role;
  /** Absent: unchanged; null: every region. */
  regions?: string[] | null;
  disabled?: boolean;
  passwordHash?: string;
}

/** Applies the fields given; null when there is no such user. Disabling keeps the first time it was disabled. */
export async function updateUser(db: Queryable, id: string, update: UserUpdate): Promise<User | null> {
  const { rows } = await db.query<UserRow>(
    `UPDATE app_user SET
       display_name = COALESCE($2::text, display_name),
       role = COALESCE($3::text, role),
       regions = CASE WHEN $4::boolean THEN $5::text[] ELSE regions END,
       disabled_at = CASE WHEN $6::boolean IS NULL THEN disabled_at WHEN $6::boolean THEN COALESCE(disabled_at, now()) ELSE NULL END,
       password_hash = COALESCE($7::text, password_hash)
     WHERE user_id = $1::bigint RETURNING *`,
    [id, update.displayName ?? null, update.role ?? null, update.regions !== undefined, update.regions ?? null, update.disabled ?? null, update.passwordHash ?? null],
  );
  return rows[0] ? toUser(rows[0]) : null;
}

export async function enabledAdminCount(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM app_user WHERE role = 'admin' AND disabled_at IS NULL`);
  return rows[0]!.n;
}

/** The region ids among these that do not exist. */
export async function missingRegions(db: Queryable, regions: string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM unnest($1::text[]) AS id WHERE NOT EXISTS (SELECT 1 FROM region r WHERE r.region_id = id) ORDER BY id',
    [regions],
  );
  return rows.map((row) => row.id);
}

export async function hasUsers(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM app_user) AS any');
  return rows[0]!.any;
}
