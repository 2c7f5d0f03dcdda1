/**
 * Who may do what. API keys carry scopes; people who sign in carry a role. A role stands for a set of
 * permissions, and each permission for the key scopes that give the same reach, so that a route guarded
 * by scope serves both kinds of caller alike. The dashboard reads the same table to hide what a role
 * cannot do.
 */

/** What an API key may reach: one ingestion stream each, reference data, reading, administration. */
export const KEY_SCOPES = ['service-orders', 'parts', 'complaints', 'telemetry', 'reference', 'read', 'admin'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

export const ROLES = ['admin', 'service_manager', 'parts_planner', 'engineer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['dashboards:read', 'alarms:acknowledge', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const PERMISSION_DESCRIPTIONS: Record<Permission, string> = {
  'dashboards:read': 'read the figures, fleet, telemetry, alarms and briefing, within the regions one may see',
  'alarms:acknowledge': 'acknowledge and resolve alarms',
  admin: 'manage users, API keys, webhooks, reference data, alarm rules, queues and briefing runs; read the audit log and deliveries',
};

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  service_manager: ['dashboards:read'],
  parts_planner: ['dashboards:read'],
  engineer: ['dashboards:read', 'alarms:acknowledge'],
  viewer: ['dashboards:read'],
};

/** The key scopes a permission gives; acknowledging alarms has none of its own (keys need admin for it). */
const PERMISSION_SCOPES: Record<Permission, readonly KeyScope[]> = {
  'dashboards:read': ['read'],
  'alarms:acknowledge': [],
  admin: KEY_SCOPES,
};

/** The scopes a signed-in user of this role holds, as if it were an API key. */
export function roleScopes(role: Role): KeyScope[] {
  return KEY_SCOPES.filter((scope) => ROLE_PERMISSIONS[role].some((permission) => PERMISSION_SCOPES[permission].includes(scope)));
}

/** The permissions an API key's scopes amount to: `admin` is every permission, `read` reads the dashboards. */
export function scopePermissions(scopes: readonly KeyScope[]): Permission[] {
  if (scopes.includes('admin')) return [...PERMISSIONS];
  return scopes.includes('read') ? ['dashboards:read'] : [];
}

/**
 * Administration reaches the whole network (users, keys, webhooks, reference data, queues), so it cannot
 * be held within regions: an admin key or an admin user covers every region. Returns why a combination is
 * refused, or null when it is allowed.
 */
export function regionLimitedAdmin(holder: { scopes: readonly KeyScope[] } | { role: Role }, regions: readonly string[] | null | undefined): string | null {
  if (regions === null || regions === undefined) return null;
  const admin = 'role' in holder ? holder.role === 'admin' : holder.scopes.includes('admin');
  if (!admin) return null;
  return 'role' in holder
    ? 'an admin manages the whole network and cannot be limited to regions: leave regions out, or choose another role'
    : 'a key with the admin scope manages the whole network and cannot be limited to regions: leave regions out, or drop the admin scope';
}
