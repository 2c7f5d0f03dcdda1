import { ROLE_PERMISSIONS, roleScopes, scopePermissions, type KeyScope, type Permission, type Role, type User } from '@servicetower/domain';
import type { ApiKey } from '../repositories/apiKeys.js';
import type { Actor } from '../repositories/audit.js';

/** Who is calling: an API key or a signed-in user, with one shape for what routes check and filter by. */
export interface Principal {
  kind: 'key' | 'user';
  /** The key's id or the user's id. */
  id: string;
  /** The key's name or the user's username: recorded as who acknowledged an alarm, or acted as admin. */
  name: string;
  /** Null for a key. */
  role: Role | null;
  /** A user holds the scopes of their role, so that every scope-guarded route serves both. */
  scopes: readonly KeyScope[];
  permissions: readonly Permission[];
  /** null: every region. */
  regions: string[] | null;
}

/**
 * Administration reaches the whole network, so a key or user limited to regions never holds it, even if
 * such a row was stored before the admin routes and commands refused to create one.
 */
const withinRegions = <T extends string>(items: readonly T[], regions: string[] | null): readonly T[] =>
  regions === null ? items : items.filter((item) => item !== 'admin');

export const keyPrincipal = (key: ApiKey): Principal => {
  const scopes = withinRegions(key.scopes, key.regions);
  return { kind: 'key', id: key.id, name: key.name, role: null, scopes, permissions: scopePermissions(scopes), regions: key.regions };
};

export const userPrincipal = (user: User): Principal => ({
  kind: 'user', id: user.id, name: user.username, role: user.role,
  scopes: withinRegions(roleScopes(user.role), user.regions),
  permissions: withinRegions(ROLE_PERMISSIONS[user.role], user.regions),
  regions: user.regions,
});

export const actorOf = (principal: Principal): Actor => ({ kind: principal.kind, id: principal.id, name: principal.name });

/** What a principal may reach, as a string that changes when its scopes or regions do. */
export const reachOf = (principal: Principal): string => JSON.stringify([principal.scopes, principal.regions]);
