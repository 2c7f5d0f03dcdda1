// `npm start`: the whole product on one machine (DESIGN.md §7). Finds or starts PostgreSQL
// and Redis, applies the migrations, then runs the API and the workers as child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '@servicetower/domain';
import { migrate } from './db/migrate.js';
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

const children: ChildProcess[] = [
  spawn(process.execPath, ['--import', 'tsx', entry('./server.ts')], { env, stdio: 'inherit' }),
  spawn(process.execPath, ['--import', 'tsx', entry('../../workers/src/main.ts')], { env, stdio: 'inherit' }),
];

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await Promise.all(
      children.map((child) =>
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
log(`demo data: the simulator is not part of this release yet, so the database holds only what you send (DEMO=${process.env.DEMO ?? 'on'} has no effect yet)`);
log('create an API key: npm run admin -- create-key --name me --scopes service-orders,parts,complaints,telemetry,reference,read,admin');
