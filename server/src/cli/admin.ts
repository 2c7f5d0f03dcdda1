import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, QUEUE_NAMES, regionLimitedAdmin, ROLES, type QueueName } from '@servicetower/domain';
import { createBlockingConnection, createPool, createQueues, closeQueues } from '@servicetower/workers';
import { listFailedJobs, replayFailedJobs } from '../admin/failedJobs.js';
import { withServiceUrls } from '../start/localEnv.js';
import { createApiKey, KEY_SCOPES, listApiKeys, revokeApiKey, type KeyScope } from '../repositories/apiKeys.js';
import { writeAudit } from '../repositories/audit.js';
import { list, UsageError } from './usage.js';
import { cliActor, runUserCommand, USER_COMMANDS, USER_USAGE, type UserCommand } from './users.js';

const USAGE = `Usage: npm run admin -- <command> [options]
  create-key --name NAME --scopes LIST [--regions LIST]   create an API key; prints it alone on the last line
  list-keys                                                list API keys (never their secrets)
  revoke-key --id ID                                       revoke a key at once
${USER_USAGE}
  failed-jobs [--queue NAME]                               list failed jobs with their errors
  replay-failed --queue NAME [--job ID]                    put failed jobs back in their queue
Scopes: ${KEY_SCOPES.join(', ')}. Roles: ${ROLES.join(', ')}. Queues: ${QUEUE_NAMES.join(', ')}.`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' }, scopes: { type: 'string' }, regions: { type: 'string' },
      id: { type: 'string' }, queue: { type: 'string' }, job: { type: 'string' },
      username: { type: 'string' }, role: { type: 'string' }, 'display-name': { type: 'string' }, 'password-stdin': { type: 'boolean' },
    },
  });
  const command = positionals[0];
  const config = loadConfig(withServiceUrls(process.env));

  if (USER_COMMANDS.includes(command as UserCommand)) {
    const pool = createPool(config.DATABASE_URL, 1);
    try {
      await runUserCommand(pool, command as UserCommand, values);
    } finally {
      await pool.end();
    }
    return;
  }

  if (command === 'create-key' || command === 'list-keys' || command === 'revoke-key') {
    const pool = createPool(config.DATABASE_URL, 1);
    try {
      if (command === 'create-key') {
        if (!values.name) throw new UsageError('create-key needs --name, e.g. --name gw-north');
        const scopes = list(values.scopes);
        const unknown = scopes.filter((s) => !KEY_SCOPES.includes(s as KeyScope));
        if (scopes.length === 0 || unknown.length > 0) {
          throw new UsageError(`--scopes must list one or more of ${KEY_SCOPES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
        }
        const regions = values.regions === undefined ? null : list(values.regions);
        const adminRegions = regionLimitedAdmin({ scopes: scopes as KeyScope[] }, regions);
        if (adminRegions) throw new UsageError(`--regions: ${adminRegions}`);
        const { key, token } = await createApiKey(pool, { name: values.name, scopes: scopes as KeyScope[], regions });
        await writeAudit(pool, cliActor(), 'key.create', `key:${key.id}`, { name: key.name, scopes: key.scopes, regions: key.regions });
        console.log(`Created key ${key.id} "${key.name}" (scopes ${key.scopes.join(', ')}; regions ${key.regions?.join(', ') ?? 'all'}).`);
        console.log('It is shown only now; store it safely:');
        console.log(token);
      } else if (command === 'list-keys') {
        for (const key of await listApiKeys(pool)) {
          console.log([key.id, key.name, key.scopes.join(','), key.regions?.join(',') ?? 'all', key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active'].join('\t'));
        }
      } else {
        if (!values.id) throw new UsageError('revoke-key needs --id (see list-keys)');
        const revoked = await revokeApiKey(pool, values.id);
        if (revoked) await writeAudit(pool, cliActor(), 'key.revoke', `key:${values.id}`);
        console.log(revoked ? `Revoked key ${values.id}.` : `No active key ${values.id}.`);
        if (!revoked) process.exitCode = 1;
      }
    } finally {
      await pool.end();
    }
    return;
  }

  if (command === 'failed-jobs' || command === 'replay-failed') {
    const queue = values.queue as QueueName | undefined;
    if (queue !== undefined && !QUEUE_NAMES.includes(queue)) throw new UsageError(`--queue must be one of ${QUEUE_NAMES.join(', ')}`);
    const connection = createBlockingConnection(config.REDIS_URL);
    const queues = createQueues(connection, config.QUEUE_PREFIX);
    try {
      if (command === 'failed-jobs') {
        for (const name of queue ? [queue] : QUEUE_NAMES) {
          for (const job of await listFailedJobs(queues, name, 1000)) {
            console.log([job.queue, job.id, job.failedAt ?? '', `${job.attempts} attempts`, `${job.records} records`, job.failedReason].join('\t'));
          }
        }
      } else {
        if (!queue) throw new UsageError('replay-failed needs --queue');
        const replayed = await replayFailedJobs(queues, queue, values.job);
        console.log(`Replayed ${replayed} job(s) of ${queue}.`);
        if (values.job !== undefined && replayed === 0) process.exitCode = 1;
      }
    } finally {
      await closeQueues(queues);
      connection.disconnect();
    }
    return;
  }
  throw new UsageError(command ? `Unknown command "${command}".` : 'No command given.');
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
  else if (error instanceof ConfigError) console.error(error.message);
  else console.error(`Failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
