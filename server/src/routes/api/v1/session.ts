import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ROLE_PERMISSIONS, Session, SignIn, type User } from '@servicetower/domain';
import { verifyDecoy, verifyPassword } from '../../../auth/passwords.js';
import { crossSiteReason } from '../../../auth/sameSite.js';
import { SESSION_COOKIE } from '../../../plugins/app/auth.js';
import { createSession, deleteExpiredSessions, deleteSession, findSessionUser } from '../../../repositories/sessions.js';
import { findUserForSignIn } from '../../../repositories/users.js';
import { errorResponses } from '../../../schemas.js';

const tags = ['session'];
const WRONG = 'Unknown user or wrong password: check both and try again.';

const sessionOf = (user: User): Session => ({
  user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role, regions: user.regions },
  permissions: [...ROLE_PERMISSIONS[user.role]],
});

/** Signing in to the dashboard and out: a session cookie, st_session, that every route accepts beside API keys. */
const session: FastifyPluginAsyncTypebox = async (app) => {
  const ttlHours = app.config.SESSION_TTL_HOURS;

  /** Sign-in and sign-out change state on the strength of a form or a cookie: refused when they come from another site. */
  const refuseCrossSite = (request: FastifyRequest) => {
    const reason = crossSiteReason(request);
    if (reason) throw app.httpErrors.forbidden(`Refused: signing in and out must come from the dashboard, and ${reason}.`);
  };

  const endCookie = (reply: FastifyReply) => reply.clearCookie(SESSION_COOKIE, app.sessionCookie);

  app.post(
    '/session',
    {
      schema: {
        tags, security: [],
        summary: 'Sign in: sets the st_session cookie (HttpOnly, SameSite=Strict) and answers who is signed in and what they may do',
        description: `Send it from the dashboard (an Origin header naming this site) or with X-Requested-With. The session ends after ${ttlHours} hours ` +
          'without a request (SESSION_TTL_HOURS), at sign-out, or when an admin disables the user or sets a new password.',
        body: SignIn,
        response: { 200: Session, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      refuseCrossSite(request);
      const { username, password } = request.body;
      const found = await findUserForSignIn(app.db, username);
      if (!found) {
        await verifyDecoy(password);
        throw app.httpErrors.unauthorized(WRONG);
      }
      if (!(await verifyPassword(found.passwordHash, password))) throw app.httpErrors.unauthorized(WRONG);
      if (found.user.disabledAt !== null) throw app.httpErrors.unauthorized('This account is disabled: ask an admin to enable it.');
      const previous = request.cookies[SESSION_COOKIE];
      if (previous !== undefined) await deleteSession(app.db, previous);
      await deleteExpiredSessions(app.db);
      reply.setCookie(SESSION_COOKIE, await createSession(app.db, found.user.id, ttlHours), app.sessionCookie);
      return sessionOf(found.user);
    },
  );

  app.get(
    '/session',
    {
      schema: {
        tags, security: [{ session: [] }],
        summary: 'Who is signed in with this browser’s session cookie, and what they may do',
        response: { 200: Session, ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      const user = token === undefined ? null : await findSessionUser(app.db, token, ttlHours);
      if (user) return sessionOf(user);
      if (token !== undefined) endCookie(reply);
      throw app.httpErrors.unauthorized('Not signed in: sign in with POST /api/v1/session.');
    },
  );

  app.delete(
    '/session',
    {
      schema: {
        tags, security: [{ session: [] }],
        summary: 'Sign out: ends the session and clears its cookie (also when it had already ended)',
        response: { 204: Type.Null({ description: 'signed out' }), ...errorResponses(403) },
      },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token !== undefined) {
        refuseCrossSite(request);
        await deleteSession(app.db, token);
        app.recheckLive(); // the dashboard's WebSocket of this sign-in closes too
      }
      endCookie(reply);
      return reply.code(204).send(null);
    },
  );
};

export default session;
