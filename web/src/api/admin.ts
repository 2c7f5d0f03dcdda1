import type { AuditEntry } from '@servicetower/domain';
import { getJson, itemsOf, sendJson } from './http';
import type { Role } from './session';

/**
 * The admin routes. Keys, users and webhooks are being built on the server alongside this dashboard
 * (their schemas: domain/src/users.ts); the shapes are written out here, in this file only, so aligning
 * them is one edit. Queues are the existing /api/v1/admin/queues routes; the audit log's entry is the domain's.
 */

export const KEY_SCOPES = ['service-orders', 'parts', 'complaints', 'telemetry', 'reference', 'read', 'admin'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

export interface ApiKey {
  id: string;
  name: string;
  scopes: KeyScope[];
  /** null: every region. */
  regions: string[] | null;
  createdAt: string;
  revokedAt: string | null;
}

/** The create answer carries the secret once; it cannot be read again. */
export interface CreatedApiKey {
  key: ApiKey;
  token: string;
}

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  regions: string[] | null;
  /** null: the user may sign in. */
  disabledAt: string | null;
  createdAt: string;
}

export interface Webhook {
  id: string;
  url: string;
  createdAt: string;
  createdBy: string;
}

type List<T> = { items: T[] } | T[];
const id = (value: string) => encodeURIComponent(value);

/** GET /api/v1/admin/keys */
export async function fetchApiKeys(signal?: AbortSignal) {
  return itemsOf(await getJson<List<ApiKey>>('/api/v1/admin/keys', undefined, signal));
}

/** POST /api/v1/admin/keys (201) */
export function createApiKey(body: { name: string; scopes: KeyScope[]; regions: string[] | null }) {
  return sendJson<CreatedApiKey>('POST', '/api/v1/admin/keys', body);
}

/** DELETE /api/v1/admin/keys/:id: revokes at once (the key is looked up on every request). */
export function revokeApiKey(keyId: string) {
  return sendJson<void>('DELETE', `/api/v1/admin/keys/${id(keyId)}`);
}

/** GET /api/v1/admin/users */
export async function fetchUsers(signal?: AbortSignal) {
  return itemsOf(await getJson<List<User>>('/api/v1/admin/users', undefined, signal));
}

/** POST /api/v1/admin/users (201); displayName defaults to the username, regions to every region. */
export function createUser(body: { username: string; displayName?: string; role: Role; regions: string[] | null; password: string }) {
  return sendJson<User>('POST', '/api/v1/admin/users', body);
}

/**
 * PATCH /api/v1/admin/users/:id: only the fields given change; `disabled: true` signs the user out everywhere
 * and refuses their sign-in, a new password signs them out too.
 */
export function updateUser(userId: string, body: Partial<Pick<User, 'displayName' | 'role' | 'regions'>> & { disabled?: boolean; password?: string }) {
  return sendJson<User>('PATCH', `/api/v1/admin/users/${id(userId)}`, body);
}

/**
 * GET /api/v1/admin/webhooks: where the daily briefing is POSTed; `fromSettings` are the URLs of the
 * BRIEFING_WEBHOOKS setting, which only a change of settings removes.
 */
export async function fetchWebhooks(signal?: AbortSignal): Promise<{ items: Webhook[]; fromSettings: string[] }> {
  const body = await getJson<List<Webhook> & { fromSettings?: string[] }>('/api/v1/admin/webhooks', undefined, signal);
  return { items: itemsOf(body), fromSettings: Array.isArray(body) ? [] : body.fromSettings ?? [] };
}

/** POST /api/v1/admin/webhooks */
export function addWebhook(body: { url: string }) {
  return sendJson<Webhook>('POST', '/api/v1/admin/webhooks', body);
}

/** DELETE /api/v1/admin/webhooks/:id */
export function removeWebhook(webhookId: string) {
  return sendJson<void>('DELETE', `/api/v1/admin/webhooks/${id(webhookId)}`);
}

/** GET /api/v1/admin/queues: job counts per state (waiting, active, failed, …) per queue. */
export type QueueCounts = { queue: string } & Record<string, number | string>;
export function fetchQueues(signal?: AbortSignal) {
  return getJson<QueueCounts[]>('/api/v1/admin/queues', undefined, signal);
}

export interface FailedJob {
  queue: string;
  id: string;
  failedReason: string;
  attempts: number;
  failedAt: string | null;
  records: number;
}

/** GET /api/v1/admin/queues/:queue/failed: newest first. */
export function fetchFailedJobs(queue: string, signal?: AbortSignal) {
  return getJson<FailedJob[]>(`/api/v1/admin/queues/${id(queue)}/failed`, { limit: 100 }, signal);
}

/** POST /api/v1/admin/queues/:queue/failed/replay[?jobId=]: one failed job, or all of them. */
export function replayFailedJobs(queue: string, jobId?: string) {
  return sendJson<{ replayed: number }>('POST', `/api/v1/admin/queues/${id(queue)}/failed/replay`, undefined, { jobId });
}

/** GET /api/v1/admin/audit: admin actions, newest first; `before` (an entry id) gives the page after it. */
export async function fetchAudit(query: { limit: number; before?: string | null }, signal?: AbortSignal) {
  return (await getJson<{ items: AuditEntry[] }>('/api/v1/admin/audit', query, signal)).items;
}
