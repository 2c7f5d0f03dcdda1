// `npm start`: the whole product on one machine (DESIGN.md §7). Finds or starts PostgreSQL
// and Redis, applies the migrations, then runs the API and the workers as child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '@servicetower/domain';
import { createPool, type Pool } from '@servicetower/workers';
import { migrate } from './db/migrate.js';
import { createApiKey, revokeApiKeysNamed } from './repositories/apiKeys.js';
import { createFirstAdmin } from './start/firstAdmin.js';
import { DEFAULT_DATA_DIR, saveServiceUrls } from './start/localEnv.js';
import { ensureServices } from './start/services.js';

const log = (line: string) => console.log(`[start] ${line}`);
const dataDir = process.env.DATA_DIR ?? DEFAULT_DATA_DIR;
const entry = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const services = await ensureServices({ env: process.env, dataDir, log }).catch((error: Error) => {
  console.error(`[start] ${error.message}`);
  process.exit(1);
});
const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl };
let config;
try {
  config = loadConfig(env);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : String(error));
  await services.stop();
  process.exit(2);
}
saveServiceUrls(dataDir, { DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl });
const applied = await migrate(services.databaseUrl, log);
log(applied.length > 0 ? `migrations applied: ${applied.join(', ')}` : 'database schema up to date');
const firstAdmin = await withPool((pool) => createFirstAdmin(pool));

const children: ChildProcess[] = [
  spawn(process.execPath, ['--import', 'tsx', entry('./server.ts')], { env, stdio: 'inherit' }),
  spawn(process.execPath, ['--import', 'tsx', entry('../../workers/src/main.ts')], { env, stdio: 'inherit' }),
];

const demo = (process.env.DEMO ?? 'on') !== 'off';
let simulator: ChildProcess | undefined;

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await Promise.all(
      [...children, ...(simulator ? [simulator] : [])].map((child) =>
        child.exitCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')),
      ),
    );
    await services.stop();
  }
  process.exit(code);
}
for (const child of children) child.once('exit', (code) => void stop(code === 0 ? 0 : 1));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(0));

const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
log(`ServiceTower: http://${host}:${config.PORT}  (API reference at /docs)`);
log(`data: ${services.notes.join('; ')}`);
if (firstAdmin) {
  log(`no user yet, so user "${firstAdmin.username}" was created with password ${firstAdmin.password}`);
  log(`  it is shown only now: sign in, then change it with npm run admin -- set-password --username ${firstAdmin.username}`);
}
log('create an API key: npm run admin -- create-key --name me --scopes service-orders,parts,complaints,telemetry,reference,read,admin');
if (demo) await startSimulator(`http://${host}:${config.PORT}`);
else log('DEMO=off: the database holds only what you send');

/**
 * DEMO (on unless DEMO=off): the simulator, a client like any other, sends a year of history to an
 * empty network and then streams live telemetry. Its key is made afresh at each start.
 */
async function startSimulator(url: string): Promise<void> {
  if (!(await answers(`${url}/readyz`, 60_000))) {
    log('demo data: the API did not become ready, so the simulator was not started');
    return;
  }
  const { token } = await withPool(async (pool) => {
    await revokeApiKeysNamed(pool, 'demo-simulator');
    return createApiKey(pool, { name: 'demo-simulator', scopes: ['service-orders', 'parts', 'complaints', 'telemetry', 'reference'], regions: null });
  });
  log('demo data: the simulator sends a year of history if the network is empty (a few minutes), then streams live; DEMO=off starts empty');
  simulator = spawn(process.execPath, ['--import', 'tsx', entry('../../simulator/src/cli.ts'), '--if-empty', '--live'], {
    env: { ...env, SIMULATOR_URL: url, SIMULATOR_KEY: token },
    stdio: 'inherit',
  });
  simulator.once('exit', (code) => {
    if (!stopping && code !== 0) log(`demo data: the simulator stopped (exit ${code}); the product runs on without it`);
  });
}

async function withPool<T>(work: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = createPool(services.databaseUrl, 1);
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fetch(url).then((r) => r.ok, () => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}
