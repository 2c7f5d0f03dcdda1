import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyScope } from '@servicetower/domain';
import type { Queryable } from '@servicetower/workers';

export { KEY_SCOPES, type KeyScope } from '@servicetower/domain';

export interface ApiKey {
  id: string;
  name: string;
  scopes: KeyScope[];
  /** null: every region. */
  regions: string[] | null;
  createdAt: Date;
  revokedAt: Date | null;
}

interface ApiKeyRow {
  api_key_id: string;
  name: string;
  secret_hash: Buffer;
  scopes: KeyScope[];
  regions: string[] | null;
  created_at: Date;
  revoked_at: Date | null;
}

const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.api_key_id,
  name: row.name,
  scopes: row.scopes,
  regions: row.regions,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

const hash = (secret: string) => createHash('sha256').update(secret).digest();

/** Creates a key and returns its token, `st_<id>_<secret>`: the only time the secret exists in clear. */
export async function createApiKey(
  db: Queryable,
  input: { name: string; scopes: KeyScope[]; regions: string[] | null },
): Promise<{ key: ApiKey; token: string }> {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_key (api_key_id, name, secret_hash, scopes, regions)
     VALUES ($1, $2, $3, $4::text[], $5::text[]) RETURNING *`,
    [id, input.name, hash(secret), input.scopes, input.regions],
  );
  return { key: toApiKey(rows[0]!), token: `st_${id}_${secret}` };
}

/** The live key a token stands for, or null when it is unknown, wrong or revoked. */
export async function findApiKeyByToken(db: Queryable, token: string): Promise<ApiKey | null> {
  const match = /^st_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(token);
  if (!match) return null;
  const { rows } = await db.query<ApiKeyRow>('SELECT * FROM api_key WHERE api_key_id = $1 AND revoked_at IS NULL', [match[1]]);
  const row = rows[0];
  if (!row) return null;
  return timingSafeEqual(row.secret_hash, hash(match[2]!)) ? toApiKey(row) : null;
}

/** The keys among `ids` that are not revoked. */
export async function activeApiKeys(db: Queryable, ids: string[]): Promise<ApiKey[]> {
  const { rows } = await db.query<ApiKeyRow>('SELECT * FROM api_key WHERE api_key_id = ANY($1::text[]) AND revoked_at IS NULL', [ids]);
  return rows.map(toApiKey);
}

export async function revokeApiKey(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE api_key SET revoked_at = now() WHERE api_key_id = $1 AND revoked_at IS NULL', [id]);
  return rowCount === 1;
}

export async function listApiKeys(db: Queryable): Promise<ApiKey[]> {
  const { rows } = await db.query<ApiKeyRow>('SELECT * FROM api_key ORDER BY created_at, api_key_id');
  return rows.map(toApiKey);
}

/** Revokes every live key of a name: a service that makes its own key at start leaves no old ones behind. */
export async function revokeApiKeysNamed(db: Queryable, name: string): Promise<number> {
  const { rowCount } = await db.query('UPDATE api_key SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL', [name]);
  return rowCount ?? 0;
}
