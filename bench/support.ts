/**
 * What the benchmarks share: the API and workers as child processes, a free port, polling, a lean HTTP POST,
 * percentiles, CPU seconds and peak memory from /proc, the machine's description, and where results are written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Jobs a worker process runs at once per queue: one per core, at least 2 (bench/README.md, "Settings"). */
export const WORKER_CONCURRENCY = process.env.WORKER_CONCURRENCY ?? String(Math.max(2, os.cpus().length));

/** The URL of database `name` on the bench's PostgreSQL server. */
export function databaseUrl(name: string): string {
  return Object.assign(new URL(SERVER_URL), { pathname: `/${name}` }).toString();
}

/** Runs one statement on the server's maintenance database (CREATE/DROP DATABASE, pg_database). */
export async function onServer<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    return (await admin.query<R>(sql, params)).rows;
  } finally {
    await admin.end();
  }
}

export async function databaseExists(name: string): Promise<boolean> {
  return (await onServer('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1;
}

/** Child processes of the repo's scripts; one ending before `stopAll` is a failure the next `waitFor` reports. */
export class Children {
  private readonly children: Array<{ name: string; child: ChildProcess }> = [];
  private stopping = false;
  failure: Error | null = null;

  /** Starts `node --import tsx <script>` from the repository root; `name` labels its memory and CPU ('api', 'workers'). */
  start(name: string, script: string, env: Record<string, string>): ChildProcess {
    // `node --import tsx` is `tsx` without its wrapper process, so the pid is the one doing the work.
    // BENCH_CPU_PROF=<dir>: each child writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.failure = new Error(`${script} ended early (${code ?? signal}): its output above says why.`);
    });
    this.children.push({ name, child });
    return child;
  }

  /** Each running child's peak resident memory so far, in MiB (read it before `stopAll`). */
  peakMemory(): Record<string, number | null> {
    return Object.fromEntries(this.children.map(({ name, child }) => [name, peakRssMiB(child.pid)]));
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.children.map(({ child }) => stopChild(child)));
  }

  /** Polls `check` every 100 ms until it holds; throws when a child ended early or the time is up. */
  async waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    for (const deadline = Date.now() + timeoutMs; !(await check()); await sleep(100)) {
      if (this.failure) throw this.failure;
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}.`);
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
  child.kill('SIGTERM');
  await once(child, 'exit');
  clearTimeout(kill);
}

/**
 * Peak resident memory of a running process in MiB: VmHWM in /proc/<pid>/status, the most of its memory that
 * was in RAM at once since it started (or since `resetPeakRss`). Null when it is gone or this is not Linux.
 */
export function peakRssMiB(pid: number | undefined): number | null {
  try {
    const kib = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? null : Math.round(Number(kib) / 1024);
  } catch {
    return null;
  }
}

/** Sets a process's peak resident memory back to its current size (Linux: clear_refs 5); false when refused. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// node:http rather than fetch: half the client CPU, which on a small machine is taken from the system measured.
const agent = new http.Agent({ keepAlive: true });
export function post(url: string, key: string, body: string): Promise<{ status: number; retryAfter: number; text: string }> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: Number(response.headers['retry-after'] ?? 1), text }));
    });
    request.on('error', reject).end(body);
  });
}

/** A progress line, stamped with the seconds since this process started. */
export function progress(line: string): void {
  console.log(`[${(performance.now() / 1000).toFixed(1).padStart(5)} s] ${line}`);
}

/** The value at fraction p of an ascending list (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** p50 and p95 of some times in ms, rounded to 0.1 ms. */
export function p50p95(times: readonly number[]): { p50: number; p95: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: round1(percentile(sorted, 0.5)), p95: round1(percentile(sorted, 0.95)) };
}

export const round2 = (x: number) => Math.round(x * 100) / 100;
const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * CPU seconds used during a phase by this process, the named children, the PostgreSQL processes of `database`
 * (and the server's shared background processes: WAL writer, checkpointer, autovacuum), psql and redis-server,
 * from Linux /proc. Sampled every 200 ms, so that a process ending meanwhile (psql's backend) still counts.
 * Call it to start; call what it returns to stop and read.
 */
export function cpuMeter(database: string, named: Record<string, number | undefined> = {}): () => Record<string, number> {
  // A backend's title names its database and client ("postgres: 15/main: user db 127.0.0.1(5555) idle"): other
  // databases' backends do not count; background processes do.
  const oursOrShared = (title: string) => title.includes(` ${database} `) || !/\(\d+\)|\[local\]/.test(title);
  const groups: Record<string, string> = { postgres: 'postgres', 'redis-server': 'redis', psql: 'psql' };
  const [first, last, self] = [new Map<string, number>(), new Map<string, [string, number]>(), process.cpuUsage()];
  const sample = (initial: boolean) => {
    for (const pid of process.platform === 'linux' ? readdirSync('/proc').filter((name) => /^\d+$/.test(name)) : []) {
      try {
        const name = Object.keys(named).find((k) => String(named[k]) === pid) ?? groups[readFileSync(`/proc/${pid}/comm`, 'utf8').trim()];
        if (!name || (name === 'postgres' && !oursOrShared(readFileSync(`/proc/${pid}/cmdline`, 'utf8')))) continue;
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const seconds = (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in ticks of 10 ms
        if (!first.has(pid)) first.set(pid, initial ? seconds : 0);
        last.set(pid, [name, seconds]);
      } catch { /* it ended meanwhile */ }
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), 200);
  return () => {
    clearInterval(timer);
    sample(false);
    const { user, system } = process.cpuUsage(self);
    const used: Record<string, number> = { bench: (user + system) / 1e6 };
    for (const [pid, [name, seconds]] of last) used[name] = (used[name] ?? 0) + seconds - first.get(pid)!;
    return Object.fromEntries(Object.entries(used).map(([name, seconds]) => [name, round2(seconds)]));
  };
}

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  /** 1-minute load average when described: above `cores`, something else shared the machine. */
  loadAverage1m: number;
  /** server_version, e.g. "15.20 (Debian 15.20-0+deb12u1)". */
  postgresql: string;
  storage: 'postgresql' | 'timescaledb' | string;
  redis: string;
  node: string;
}

/**
 * The machine and the servers a run uses. The storage mode is the one the migrations pick on this server
 * (migrations/0001_storage.sql): TimescaleDB when the extension is available, else plain PostgreSQL.
 */
export async function describeMachine(): Promise<Machine> {
  const db = new pg.Client({ connectionString: SERVER_URL });
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null }); // fail once, not retry for ever
  try {
    await Promise.all([db.connect(), redis.connect()]);
    const { rows: [server] } = await db.query<{ version: string; mode: string }>(
      `SELECT current_setting('server_version') AS version,
              CASE WHEN EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN 'timescaledb' ELSE 'postgresql' END AS mode`,
    );
    return {
      cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?', memoryGiB: Math.round(os.totalmem() / 2 ** 30), loadAverage1m: round2(os.loadavg()[0]!),
      postgresql: server!.version, storage: server!.mode, redis: /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?', node: process.version,
    };
  } finally {
    redis.disconnect();
    await db.end().catch(() => undefined);
  }
}

export const machineLine = (m: Machine) =>
  `${m.cores} cores ${m.cpu}, ${m.memoryGiB} GiB, load ${m.loadAverage1m}; PostgreSQL ${m.postgresql} (${m.storage}); Redis ${m.redis}; Node ${m.node}`;

/** UTC date and time for file names, e.g. 2026-11-23T1700 (minutes) or 2026-11-23T170012 (seconds). */
export function fileStamp(date: Date, withSeconds = false): string {
  return date.toISOString().slice(0, withSeconds ? 19 : 16).replace(/:/g, '');
}

/**
 * Writes a suite's result as JSON: to `out` when given (bench/run.ts collects it there), else to
 * bench/results/<suite>-<UTC time>-<cores>c-<GiB>g.json. Returns the path written, relative to the repository.
 */
export function writeResult(suite: string, result: object, out?: string): string {
  const file = out
    ? (isAbsolute(out) ? out : join(process.cwd(), out))
    : join(ROOT, 'bench', 'results', `${suite}-${fileStamp(new Date(), true)}-${os.cpus().length}c-${Math.round(os.totalmem() / 2 ** 30)}g.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file.startsWith(ROOT) ? relative(ROOT, file) : file;
}

/** Deletes every Redis key of a queue prefix: what a bench run's API and workers left behind. */
export async function deleteRedisKeys(redis: Redis, prefix: string): Promise<void> {
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) if (keys.length > 0) await redis.del(...keys);
}

/** Runs a bench's main, then its clean-up, also on failure and on Ctrl-C (exit 130); a failure sets exit code 1. */
export async function runBench(name: string, main: () => Promise<void>, cleanUp: () => Promise<void>): Promise<void> {
  process.once('SIGINT', () => {
    console.error('Interrupted: cleaning up.');
    void cleanUp().finally(() => process.exit(130));
  });
  try {
    await main();
  } catch (error) {
    console.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    await cleanUp().catch((error: unknown) => console.error(`Cleaning up failed: ${String(error)}`));
  }
}
