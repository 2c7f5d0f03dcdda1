import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KEY_SCOPES, PERMISSION_DESCRIPTIONS, scopePermissions, type KeyScope, type Permission } from '@servicetower/domain';
import { keyPrincipal, userPrincipal, type Principal } from '../../auth/principal.js';
import { crossSiteReason, needsSameSite } from '../../auth/sameSite.js';
import { findApiKeyByToken } from '../../repositories/apiKeys.js';
import { findSessionUser } from '../../repositories/sessions.js';

/** The dashboard's sign-in cookie: a random token whose SHA-256 is the user_session row's key. */
export const SESSION_COOKIE = 'st_session';

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, set by requireScope and requirePermission. */
    principal: Principal | null;
  }
  interface FastifyInstance {
    /**
     * A preParsing hook (after the rate limits' onRequest hook, which needs no database, and before the body
     * is read) that answers 401 without a live key or session and 403 when the caller lacks every one of `scopes`.
     */
    requireScope(...scopes: KeyScope[]): Guard;
    /** A preParsing hook like requireScope, for a permission of domain/src/roles.ts. */
    requirePermission(permission: Permission): Guard;
    /** The options the session cookie is set and cleared with. */
    sessionCookie: { path: string; httpOnly: true; sameSite: 'strict'; secure: boolean };
  }
}

/**
 * Authentication: a request carries an API key (`Authorization: Bearer st_…`) or the session cookie of a
 * signed-in user; either becomes `request.principal`. A cookie is sent by the browser whatever page asks,
 * so a cookie request that changes state must show it comes from this site.
 */
export default fp(
  async (app) => {
    await app.register(cookie);
    app.decorate('sessionCookie', { path: '/', httpOnly: true, sameSite: 'strict', secure: app.config.SESSION_COOKIE_SECURE === 'on' } as const);
    app.decorateRequest('principal', null);

    async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
      if (request.principal) return request.principal;
      const header = request.headers.authorization;
      const session = request.cookies[SESSION_COOKIE];
      if (header === undefined && session !== undefined) {
        const user = await findSessionUser(app.db, session, app.config.SESSION_TTL_HOURS);
        if (!user) {
          reply.clearCookie(SESSION_COOKIE, app.sessionCookie);
          throw app.httpErrors.unauthorized('Your sign-in has ended (signed out, expired, or the account was disabled): sign in again.');
        }
        const crossSite = needsSameSite(request) ? crossSiteReason(request) : null;
        if (crossSite) {
          throw app.httpErrors.forbidden(`Refused: a signed-in request that changes something must come from the dashboard, and ${crossSite}.`);
        }
        request.principal = userPrincipal(user);
        return request.principal;
      }
      const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      const key = token ? await findApiKeyByToken(app.db, token) : null;
      if (!key) {
        reply.header('www-authenticate', 'Bearer');
        throw app.httpErrors.unauthorized(
          token ? 'The API key is unknown or revoked: ask an admin for a new one.' : 'Sign in, or send an API key as "Authorization: Bearer <key>".',
        );
      }
      request.principal = keyPrincipal(key);
      return request.principal;
    }

    app.decorate('requireScope', (...scopes: KeyScope[]): Guard => async (request, reply) => {
      const principal = await authenticate(request, reply);
      if (scopes.some((scope) => principal.scopes.includes(scope))) return;
      throw app.httpErrors.forbidden(principal.kind === 'key'
        ? `This API key lacks the scope this route needs (${scopes.join(' or ')}); it has ${principal.scopes.join(', ')}.`
        : `Your role (${principal.role}) may not use this route: ask an admin if you need it.`);
    });

    app.decorate('requirePermission', (permission: Permission): Guard => async (request, reply) => {
      const principal = await authenticate(request, reply);
      if (principal.permissions.includes(permission)) return;
      throw app.httpErrors.forbidden(principal.kind === 'key'
        ? `This API key may not ${PERMISSION_DESCRIPTIONS[permission]}: that needs the scope ${KEY_SCOPES.filter((scope) => scopePermissions([scope]).includes(permission)).join(' or ')}; it has ${principal.scopes.join(', ')}.`
        : `Your role (${principal.role}) may not ${PERMISSION_DESCRIPTIONS[permission]}: ask an admin if you need to.`);
    });
  },
  { name: 'auth', dependencies: ['config', 'db', 'errors'] },
);
