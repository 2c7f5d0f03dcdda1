// The real product for the end-to-end tests: a fresh database cloned from the migrated template, the
// dashboard built into a folder of its own, the API and the workers as child processes (as `npm start`
// runs them), a small simulated history sent through the public API, a briefing, and one user per role.
import { spawn } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { loadConfig, QUEUE_NAMES, type Role } from '@servicetower/domain';
import { backfill, defaultSettings, IngestClient } from '@servicetower/simulator';
import { createPool } from '@servicetower/workers';
import { hashPassword } from '../../server/src/auth/passwords.js';
import { createApiKey } from '../../server/src/repositories/apiKeys.js';
import { createUser } from '../../server/src/repositories/users.js';
import { createTestDatabase, deleteRedisKeys, prepareTemplateDatabase, TEST_REDIS_URL } from '../../server/test/support/database.js';
import { configEnv, freePort, ProcessGroup, type NodeProcess } from '../../server/test/support/processes.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'e2e');
/** The dashboard the API serves in the tests: built afresh from web/src, apart from web/dist. */
export const WEB_DIST = join(ARTIFACTS, 'dist');
export const TIME_ZONE = 'Asia/Shanghai';
export const PASSWORD = 'e2e correct horse battery';

export interface E2eUser {
  username: string;
  displayName: string;
  role: Role;
  regions: string[] | null;
}

/** What the tests get from the global setup (vitest `provide`/`inject`: plain JSON). */
export interface E2eContext {
  baseUrl: string;
  timeZone: string;
  password: string;
  artifacts: string;
  webDist: string;
  users: {
    admin: E2eUser;
    manager: E2eUser;
    planner: E2eUser;
    engineer: E2eUser;
    /** A viewer who may see one region only. */
    viewer: E2eUser;
  };
  /** A fleet device that has reported telemetry up to the simulated "now". */
  telemetryDevice: { id: string; modelId: string };
  /** The day of the briefing written during setup (YYYY-MM-DD, business time zone): yesterday. */
  briefingDate: string;
  seeded: { outlets: number; months: number; devices: number; readings: number; seconds: number };
}

const USERS: E2eContext['users'] = {
  admin: { username: 'e2e-admin', displayName: 'E2E Admin', role: 'admin', regions: null },
  manager: { username: 'e2e-manager', displayName: 'E2E Service Manager', role: 'service_manager', regions: null },
  planner: { username: 'e2e-planner', displayName: 'E2E Parts Planner', role: 'parts_planner', regions: null },
  engineer: { username: 'e2e-engineer', displayName: 'E2E Engineer', role: 'engineer', regions: null },
  viewer: { username: 'e2e-viewer', displayName: 'E2E Viewer South', role: 'viewer', regions: ['south'] },
};

const log = (line: string) => console.log(`[e2e] ${line}`);

/** YYYY-MM-DD of `at` in `timeZone`. */
export function localDate(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

async function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The newest modification time of the files under `path` (or of the file itself), in ms. */
async function newest(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path, { withFileTypes: true });
  const times = await Promise.all(entries.filter((e) => e.name !== 'node_modules').map((e) => newest(join(path, e.name))));
  return Math.max(info.mtimeMs, ...times);
}

/**
 * The production build of web/ into a folder of the tests' own (web/dist may be rebuilt by someone else while the
 * API serves it), made again when any of its sources is newer. NODE_ENV is set: the test runner's own
 * (`test`) would make Vite bundle Vue's development build. Returns false when the last build was reused.
 */
async function buildDashboard(): Promise<boolean> {
  const sources = ['web/src', 'web/index.html', 'web/vite.config.ts', 'web/package.json', 'domain/src', 'package-lock.json', 'e2e/support/stack.ts'];
  const [built, changed] = await Promise.all([newest(join(WEB_DIST, 'index.html')), Promise.all(sources.map((s) => newest(join(ROOT, s))))]);
  if (built > Math.max(...changed) && !process.env.E2E_REBUILD) return false;
  await rm(WEB_DIST, { recursive: true, force: true });
  await run('npm', ['run', 'build', '-w', 'web', '--', '--outDir', WEB_DIST, '--emptyOutDir', '--logLevel', 'warn'], { ...process.env, NODE_ENV: 'production' });
  return true;
}

/** Starts everything; the returned `stop` undoes it all (also after a failure half way). */
export async function startStack(): Promise<{ context: E2eContext; stop: () => Promise<void> }> {
  const began = Date.now();
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  };
  try {
    await mkdir(ARTIFACTS, { recursive: true });
    // The build and the template database do not depend on each other.
    const [template, built] = await Promise.all([prepareTemplateDatabase(), buildDashboard()]);
    log(built ? `dashboard built into ${WEB_DIST} (${((Date.now() - began) / 1000).toFixed(1)} s)` : `dashboard in ${WEB_DIST} is newer than its sources: reused`);

    const database = await createTestDatabase(template);
    cleanups.push(() => database.drop());
    const prefix = `e2e${Date.now().toString(36)}`;
    cleanups.push(async () => {
      const redis = new Redis(TEST_REDIS_URL);
      await deleteRedisKeys(redis, prefix);
      redis.disconnect();
    });
    const port = await freePort();
    const config = loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      BUSINESS_TIMEZONE: TIME_ZONE,
      LOG_LEVEL: 'warn',
      WORKER_METRICS_PORT: '0',
      WEB_DIST,
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    const processes = new ProcessGroup();
    cleanups.push(() => processes.stopAll());
    const api: NodeProcess = processes.start('api', 'server/src/server.ts', configEnv(config));
    const workers: NodeProcess = processes.start('workers', 'workers/src/main.ts', configEnv(config));
    const failed = (child: NodeProcess) => child.exited.then((exit) => {
      throw new Error(`${child.name} exited (${JSON.stringify(exit)}) during setup:\n${child.output()}`);
    });
    await Promise.race([
      waitFor(async () => (await fetch(`${baseUrl}/readyz`)).ok, 60_000, `the API at ${baseUrl}/readyz`),
      failed(api),
      failed(workers),
    ]);

    const pool = createPool(database.url, 2);
    cleanups.push(() => pool.end());
    const admin = (await createApiKey(pool, { name: 'e2e-setup', scopes: ['admin'], regions: null })).token;
    const ingest = (await createApiKey(pool, { name: 'e2e-simulator', scopes: ['service-orders', 'parts', 'complaints', 'telemetry', 'reference'], regions: null })).token;
    const call = async (method: string, path: string) => {
      const response = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${admin}` } });
      return { status: response.status, body: (await response.json().catch(() => null)) as unknown };
    };
    /** No ingestion, alarm or rollup job waiting, delayed or running (maintenance repeats by itself). */
    const drained = async () => {
      const { status, body } = await call('GET', '/api/v1/admin/queues');
      if (status !== 200) return false;
      return (body as Array<Record<string, number | string>>)
        .filter((q) => q.queue !== 'maintenance' && (QUEUE_NAMES as readonly string[]).includes(String(q.queue)))
        .every((q) => ['waiting', 'active', 'delayed', 'prioritized'].every((state) => !q[state]));
    };

    // A few outlets over a few months, with fleet devices reporting every half hour up to now.
    const seedStart = Date.now();
    const months = 2;
    const settings = defaultSettings(Date.now(), { seed: 7, months, outlets: 8, devicesPerModel: 2, timeZone: TIME_ZONE });
    const sim = await backfill({
      settings,
      client: new IngestClient({ url: baseUrl, key: ingest }),
      batchSize: 500,
      concurrency: 4,
      cmapssDir: null,
      telemetryEveryMs: 30 * 60_000,
      log: () => {},
    });
    await Promise.race([waitFor(drained, 240_000, 'the workers to store the simulated history'), failed(workers)]);
    const seconds = Math.round((Date.now() - seedStart) / 100) / 10;
    log(`simulated history stored in ${seconds} s: ${sim.network.outlets.length} outlets, ${months} months, ${sim.network.devices.length} devices, ${String(sim.summary.readings)} readings`);

    // Yesterday's briefing, written by the workers as the morning run would.
    const briefingDate = localDate(Date.now() - 86_400_000, TIME_ZONE);
    const queued = await call('POST', `/api/v1/briefings/runs?date=${briefingDate}`);
    if (queued.status !== 202) throw new Error(`POST /api/v1/briefings/runs: ${queued.status} ${JSON.stringify(queued.body)}`);
    await waitFor(async () => (await call('GET', `/api/v1/briefings?date=${briefingDate}`)).status === 200, 120_000, `the briefing of ${briefingDate}`);

    for (const user of Object.values(USERS)) {
      const created = await createUser(pool, { ...user, passwordHash: await hashPassword(PASSWORD) });
      if (!created) throw new Error(`user ${user.username} exists already`);
    }
    const device = sim.network.devices.find((d) => d.modelId === 'display-pro');
    if (!device) throw new Error('the simulated network has no display-pro device');
    log(`stack ready at ${baseUrl} in ${((Date.now() - began) / 1000).toFixed(1)} s`);

    return {
      context: {
        baseUrl,
        timeZone: TIME_ZONE,
        password: PASSWORD,
        artifacts: ARTIFACTS,
        webDist: WEB_DIST,
        users: USERS,
        telemetryDevice: { id: device.id, modelId: device.modelId },
        briefingDate,
        seeded: { outlets: sim.network.outlets.length, months, devices: sim.network.devices.length, readings: Number(sim.summary.readings), seconds },
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
