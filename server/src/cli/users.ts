import { userInfo } from 'node:os';
import { compileValidator, regionLimitedAdmin, ROLES, Username, type Role } from '@servicetower/domain';
import { inTransaction, type Pool } from '@servicetower/workers';
import { hashPassword } from '../auth/passwords.js';
import { writeAudit, type Actor } from '../repositories/audit.js';
import { deleteUserSessions } from '../repositories/sessions.js';
import { createUser, findUserForSignIn, listUsers, missingRegions, updateUser, userChanges, type UserUpdate } from '../repositories/users.js';
import { readNewPassword } from './password.js';
import { list, UsageError } from './usage.js';

const isUsername = compileValidator(Username);

export const USER_COMMANDS = ['create-user', 'list-users', 'set-password', 'disable-user'] as const;
export type UserCommand = (typeof USER_COMMANDS)[number];

export const USER_USAGE = `  create-user --username NAME --role ROLE [--regions LIST] [--display-name TEXT] [--password-stdin]
                                                           create a dashboard user; the password is read from standard
                                                           input with --password-stdin, else asked for (not echoed)
  list-users                                               list dashboard users (never their passwords)
  set-password --username NAME [--password-stdin]          set a user's password; signs them out everywhere
  disable-user --username NAME                             refuse a user's sign-in and end their sessions`;

export interface UserOptions {
  username?: string;
  role?: string;
  regions?: string;
  'display-name'?: string;
  'password-stdin'?: boolean;
}

/** The admin command, as the audit log names it, with the account that ran it. */
export function cliActor(): Actor {
  let account = 'unknown';
  try {
    account = userInfo().username;
  } catch {
    // No account name in some containers: the log still says it was the command.
  }
  return { kind: 'system', id: 'cli', name: `npm run admin (${account})` };
}

export async function runUserCommand(pool: Pool, command: UserCommand, options: UserOptions): Promise<void> {
  if (command === 'list-users') {
    for (const user of await listUsers(pool)) {
      const status = user.disabledAt ? `disabled ${user.disabledAt}` : 'active';
      console.log([user.id, user.username, user.role, user.regions?.join(',') ?? 'all', user.displayName, status].join('\t'));
    }
    return;
  }
  const username = options.username;
  if (!username) throw new UsageError(`${command} needs --username, e.g. --username alice`);
  if (command === 'create-user') return createUserCommand(pool, username, options);

  const found = await findUserForSignIn(pool, username);
  if (!found) throw new Error(`No user "${username}": see list-users.`);
  const update: UserUpdate = command === 'disable-user'
    ? { disabled: true }
    : { passwordHash: await hashPassword(await readNewPassword(options['password-stdin'] ?? false)) };
  const ended = await inTransaction(pool, async (db) => {
    const after = (await updateUser(db, found.user.id, update))!;
    const sessions = await deleteUserSessions(db, found.user.id);
    await writeAudit(db, cliActor(), 'user.update', `user:${found.user.id}`, {
      username: found.user.username, changes: userChanges(found.user, after), ...(update.passwordHash ? { passwordChanged: true } : {}), sessionsEnded: sessions,
    });
    return sessions;
  });
  const what = command === 'disable-user' ? `Disabled ${found.user.username}` : `Set the password of ${found.user.username}`;
  console.log(`${what}; ${ended} session(s) ended.`);
}

async function createUserCommand(pool: Pool, username: string, options: UserOptions): Promise<void> {
  const role = options.role as Role | undefined;
  if (!role || !ROLES.includes(role)) throw new UsageError(`create-user needs --role, one of ${ROLES.join(', ')}`);
  if (!isUsername.check(username)) throw new UsageError(`--username must be ${Username.description}`);
  const regions = options.regions === undefined ? null : list(options.regions);
  if (regions !== null && regions.length === 0) throw new UsageError('--regions must list at least one region id; leave it out for every region');
  const adminRegions = regionLimitedAdmin({ role }, regions);
  if (adminRegions) throw new UsageError(`--regions: ${adminRegions}`);
  const missing = regions === null ? [] : await missingRegions(pool, regions);
  if (missing.length > 0) throw new Error(`No region ${missing.join(', ')}: create it first (PUT /api/v1/regions/<id>) or fix the list.`);
  if (await findUserForSignIn(pool, username)) throw taken(username);
  const passwordHash = await hashPassword(await readNewPassword(options['password-stdin'] ?? false));
  const user = await inTransaction(pool, async (db) => {
    const created = await createUser(db, { username, displayName: options['display-name'] ?? username, role, regions, passwordHash });
    if (created) await writeAudit(db, cliActor(), 'user.create', `user:${created.id}`, { username, role, regions });
    return created;
  });
  if (!user) throw taken(username);
  console.log(`Created user ${user.id} "${user.username}" (${user.role}; regions ${user.regions?.join(', ') ?? 'all'}).`);
}

const taken = (username: string) => new Error(`A user "${username}" already exists (usernames ignore case): choose another name.`);
