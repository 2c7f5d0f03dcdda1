import type { Webhook } from '@servicetower/domain';
import type { Queryable } from '@servicetower/workers';

interface WebhookRow {
  webhook_id: string;
  url: string;
  created_at: Date;
  created_by: string;
}

const toWebhook = (row: WebhookRow): Webhook => ({ id: row.webhook_id, url: row.url, createdAt: row.created_at.toISOString(), createdBy: row.created_by });

export async function listWebhooks(db: Queryable): Promise<Webhook[]> {
  const { rows } = await db.query<WebhookRow>('SELECT * FROM webhook ORDER BY webhook_id');
  return rows.map(toWebhook);
}

/** Null when the URL is already there. */
export async function addWebhook(db: Queryable, url: string, createdBy: string): Promise<Webhook | null> {
  const { rows } = await db.query<WebhookRow>(
    'INSERT INTO webhook (url, created_by) VALUES ($1::text, $2::text) ON CONFLICT (url) DO NOTHING RETURNING *',
    [url, createdBy],
  );
  return rows[0] ? toWebhook(rows[0]) : null;
}

/** The removed webhook, or null when there was none of that id. */
export async function removeWebhook(db: Queryable, id: string): Promise<Webhook | null> {
  const { rows } = await db.query<WebhookRow>('DELETE FROM webhook WHERE webhook_id = $1::bigint RETURNING *', [id]);
  return rows[0] ? toWebhook(rows[0]) : null;
}
