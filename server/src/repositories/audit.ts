import type { ActorKind, AuditEntry } from '@servicetower/domain';
import type { Queryable } from '@servicetower/workers';

/** Who acted: a signed-in user, an API key, or the admin command and start-up (`system`). */
export interface Actor {
  kind: ActorKind;
  id: string;
  name: string;
}

interface AuditRow {
  audit_id: string;
  at: Date;
  actor_kind: ActorKind;
  actor_id: string;
  actor_name: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

/** Records an admin action; `detail` must never hold a secret (a password, a token, a hash). */
export async function writeAudit(db: Queryable, actor: Actor, action: string, target: string, detail: Record<string, unknown> = {}): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, target, detail)
     VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::jsonb)`,
    [actor.kind, actor.id, actor.name, action, target, JSON.stringify(detail)],
  );
}

/** Newest first; `before` (an entry id) pages back. */
export async function listAudit(db: Queryable, limit: number, before: string | null): Promise<AuditEntry[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT * FROM audit_log WHERE $2::bigint IS NULL OR audit_id < $2::bigint ORDER BY audit_id DESC LIMIT $1::int`,
    [limit, before],
  );
  return rows.map((row) => ({
    id: row.audit_id,
    at: row.at.toISOString(),
    actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    action: row.action,
    target: row.target,
    detail: row.detail,
  }));
}
