import { request } from './http';

export const ROLES = ['admin', 'service_manager', 'parts_planner', 'engineer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  /** null: every region. */
  regions: string[] | null;
}

/** What POST and GET /api/v1/session answer. */
export interface Session {
  user: SessionUser;
  permissions: string[];
}

/** POST /api/v1/session: signs in and sets the httpOnly session cookie; 401 with a message on bad credentials. */
export function signIn(credentials: { username: string; password: string }): Promise<Session> {
  return request<Session>('/api/v1/session', { method: 'POST', body: credentials, quietUnauthorized: true });
}

/**
 * GET /api/v1/session after the server ended a live connection's credentials: the user as they are now
 * (their role or regions may have changed), or a 401 handed to the sign-in redirect like any other.
 */
export function recheckSession(): Promise<Session> {
  return request<Session>('/api/v1/session');
}

/** GET /api/v1/session: the signed-in user, or an ApiError 401 when there is none. */
export function fetchSession(signal?: AbortSignal): Promise<Session> {
  return request<Session>('/api/v1/session', { signal, quietUnauthorized: true });
}

/** DELETE /api/v1/session: signs out (204). */
export function signOut(): Promise<void> {
  return request<void>('/api/v1/session', { method: 'DELETE', quietUnauthorized: true });
}
