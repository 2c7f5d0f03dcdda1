import type { Session } from '../api/session';

/**
 * The one place that decides what a signed-in user may do. Permission names are those of the session
 * answer's `permissions` array (domain/src/roles.ts on the server); if they change, change them here only.
 */
export const PERMISSIONS = {
  /** Users, API keys, webhooks, queues. */
  admin: 'admin',
  /** Acknowledge and resolve alarms. */
  alarmsAcknowledge: 'alarms:acknowledge',
  /**
   * Create and change alarm rules: PUT /api/v1/alarm-rules/:id takes the admin (or reference) key scope, which
   * of the roles only an administrator holds.
   */
  alarmRules: 'admin',
} as const;
export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

export function hasPermission(session: Pick<Session, 'user' | 'permissions'> | null, permission: Permission): boolean {
  if (session === null) return false;
  // An administrator may do everything, whether the server lists each permission or only the role.
  if (session.permissions.includes(PERMISSIONS.admin) || session.user.role === 'admin') return true;
  return session.permissions.includes(permission);
}
