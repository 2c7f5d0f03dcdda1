import type { AuditEntry } from '@servicetower/domain';
import { formatDateTime } from './format';
import type { Column } from './table';

type T = (key: string) => string;

/**
 * The audit log as a table and as CSV: every field of the API's entry under its own name, the actor flattened
 * (actorKind, actorId, actorName) and the detail as JSON text.
 */
export function auditColumns(t: T, locale: string): Column<AuditEntry>[] {
  return [
    { key: 'id', header: 'id', label: t('admin.audit.col.id'), value: (e) => e.id, align: 'end' },
    { key: 'at', header: 'at', label: t('admin.audit.col.at'), value: (e) => e.at, format: (e) => formatDateTime(e.at, locale) },
    { key: 'actorName', header: 'actorName', label: t('admin.audit.col.actor'), value: (e) => e.actor.name },
    { key: 'actorKind', header: 'actorKind', label: t('admin.audit.col.actorKind'), value: (e) => e.actor.kind, format: (e) => t(`admin.audit.kind.${e.actor.kind}`) },
    { key: 'actorId', header: 'actorId', label: t('admin.audit.col.actorId'), value: (e) => e.actor.id },
    { key: 'action', header: 'action', label: t('admin.audit.col.action'), value: (e) => e.action },
    { key: 'target', header: 'target', label: t('admin.audit.col.target'), value: (e) => e.target },
    { key: 'detail', header: 'detail', label: t('admin.audit.col.detail'), value: (e) => JSON.stringify(e.detail) },
  ];
}
