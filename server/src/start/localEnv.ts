import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm start` keeps its private PostgreSQL and Redis, unless DATA_DIR says otherwise. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../.data', import.meta.url));

const fileIn = (dataDir: string) => join(dataDir, 'services.json');

/** Remembers the URLs `npm start` settled on, so that `npm run admin` and `npm run migrate` find them too. */
export function saveServiceUrls(dataDir: string, urls: { DATABASE_URL: string; REDIS_URL: string }): void {
  mkdirSync(dirname(fileIn(dataDir)), { recursive: true });
  writeFileSync(fileIn(dataDir), `${JSON.stringify(urls, null, 2)}\n`, { mode: 0o600 });
}

/** The environment, with DATABASE_URL and REDIS_URL filled from the last `npm start` where unset. */
export function withServiceUrls(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.DATABASE_URL && env.REDIS_URL) return env;
  try {
    const saved = JSON.parse(readFileSync(fileIn(env.DATA_DIR ?? DEFAULT_DATA_DIR), 'utf8')) as Record<string, string>;
    return { ...env, DATABASE_URL: env.DATABASE_URL || saved.DATABASE_URL, REDIS_URL: env.REDIS_URL || saved.REDIS_URL };
  } catch {
    return env;
  }
}
