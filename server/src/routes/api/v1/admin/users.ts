import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NewUser, User, UserChange } from '@servicetower/domain';
import { inTransaction } from '@servicetower/workers';
import { hashPassword } from '../../../../auth/passwords.js';
import { actorOf } from '../../../../auth/principal.js';
import { writeAudit } from '../../../../repositories/audit.js';
import { deleteUserSessions } from '../../../../repositories/sessions.js';
import { createUser, enabledAdminCount, findUser, listUsers, updateUser, userChanges } from '../../../../repositories/users.js';
import { errorResponses } from '../../../../schemas.js';
import { checkAdminRegions, checkRegions, common, NumericId } from './common.js';

/** The people who sign in to the dashboard: listed, created and changed by admins; never a password hash out. */
const users: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preParsing', app.requireScope('admin'));

  app.get('/users', {
    schema: { ...common, summary: 'Users in username order', response: { 200: Type.Object({ items: Type.Array(User) }), ...errorResponses(401, 403) } },
  }, async () => ({ items: await listUsers(app.db) }));

  app.post('/users', {
    schema: {
      ...common,
      summary: 'Create a user who signs in with a username and password',
      body: NewUser,
      response: { 201: User, ...errorResponses(400, 401, 403, 409, 422) },
    },
  }, async (request, reply) => {
    const { username, displayName, role, regions, password } = request.body;
    checkAdminRegions({ role }, regions);
    await checkRegions(app, regions);
    const passwordHash = await hashPassword(password);
    const user = await inTransaction(app.db, async (db) => {
      const created = await createUser(db, { username, displayName: displayName ?? username, role, regions: regions ?? null, passwordHash });
      if (created) await writeAudit(db, actorOf(request.principal!), 'user.create', `user:${created.id}`, { username, role, regions: created.regions });
      return created;
    });
    if (!user) {
      throw app.httpErrors.conflict(`A user "${username}" already exists (usernames ignore case): choose another, or change that user with PATCH /api/v1/admin/users/:id.`);
    }
    return reply.code(201).send(user);
  });

  app.patch('/users/:id', {
    schema: {
      ...common,
      summary: 'Change a user’s display name, role, regions or password, or disable or enable them',
      description: 'Disabling a user or setting their password signs them out everywhere; a new role or regions apply from their next request. ' +
        'The last enabled admin cannot be demoted or disabled.',
      params: NumericId('user'),
      body: UserChange,
      response: { 200: User, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
  }, async (request) => {
    const { id } = request.params;
    const { password, ...change } = request.body;
    await checkRegions(app, change.regions);
    const passwordHash = password === undefined ? undefined : await hashPassword(password);
    const updated = await inTransaction(app.db, async (db) => {
      // Serialises admin changes, so that two at once cannot both remove the last admin.
      await db.query('LOCK TABLE app_user IN SHARE ROW EXCLUSIVE MODE');
      const before = await findUser(db, id);
      if (!before) throw app.httpErrors.notFound(`No user ${id}: list them with GET /api/v1/admin/users.`);
      const after = (await updateUser(db, id, { ...change, passwordHash }))!;
      checkAdminRegions({ role: after.role }, after.regions);
      if (before.role === 'admin' && before.disabledAt === null && (after.role !== 'admin' || after.disabledAt !== null) && (await enabledAdminCount(db)) === 0) {
        throw app.httpErrors.conflict(`${before.username} is the last enabled admin: make another user admin before demoting or disabling them.`);
      }
      const signedOut = change.disabled === true || passwordHash !== undefined ? await deleteUserSessions(db, id) : 0;
      await writeAudit(db, actorOf(request.principal!), 'user.update', `user:${id}`, {
        username: before.username, changes: userChanges(before, after), ...(passwordHash ? { passwordChanged: true } : {}), sessionsEnded: signedOut,
      });
      return after;
    });
    app.recheckLive(); // the user's open WebSockets close if they no longer reach what they did
    return updated;
  });
};

export default users;
