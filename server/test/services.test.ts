// ensureServices against real servers: this machine's PostgreSQL (5432) and
// Redis (6379), and private ones it starts itself. Runs as root or not.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices, type ServicesOptions } from '../src/start/services.js';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'servicetower-services-'));
  // As root, PostgreSQL runs as the `postgres` user, which must reach its folder.
  await chmod(dataDir, 0o755);
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Distinct ports that were free a moment ago. */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((done) => {
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            done(typeof address === 'object' && address ? address.port : 0);
          });
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function withRedis<T>(url: string, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url);
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

describe('ensureServices', () => {
  it('uses the PostgreSQL and Redis answering on the default ports', async () => {
    const lines: string[] = [];
    const services = await ensureServices({ env: {}, dataDir, log: (line) => lines.push(line) });
    try {
      expect(services.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/servicetower');
      expect(services.redisUrl).toBe('redis://127.0.0.1:6379');
      expect(services.notes).toEqual(lines);
      expect(services.notes).toEqual([
        'PostgreSQL: using postgres://postgres@127.0.0.1:5432/servicetower',
        'Redis: using redis://127.0.0.1:6379',
      ]);
      const { rows } = await query(services.databaseUrl, 'SELECT current_database() AS db');
      expect(rows[0].db).toBe('servicetower');
      expect(await withRedis(services.redisUrl, (redis) => redis.ping())).toBe('PONG');
    } finally {
      await services.stop();
    }
    // It did not start them, so it does not stop them.
    expect(await portAnswers(5432)).toBe(true);
    expect(await portAnswers(6379)).toBe(true);
  });

  it('starts a private PostgreSQL and Redis that keep their data across restarts', { timeout: 120_000 }, async () => {
    const [closedPg, closedRedis, postgresPort, redisPort] = (await freePorts(4)) as [number, number, number, number];
    const options: ServicesOptions = {
      env: {},
      dataDir,
      log: () => {},
      postgresPort,
      redisPort,
      defaultDatabaseUrl: `postgres://postgres@127.0.0.1:${closedPg}/servicetower`,
      defaultRedisUrl: `redis://127.0.0.1:${closedRedis}`,
    };

    const first = await ensureServices(options);
    try {
      expect(first.databaseUrl).toMatch(new RegExp(`@127\\.0\\.0\\.1:${postgresPort}/servicetower$`));
      expect(first.redisUrl).toBe(`redis://127.0.0.1:${redisPort}`);
      expect(first.notes[0]).toMatch(`PostgreSQL: private server under ${join(dataDir, 'postgres')} (port ${postgresPort})`);
      expect(first.notes[1]).toBe(`Redis: private server under ${join(dataDir, 'redis')} (port ${redisPort})`);
      expect((await query(first.databaseUrl, 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await query(first.databaseUrl, "CREATE TABLE kept AS SELECT 'still here'::text AS v");
      await withRedis(first.redisUrl, async (redis) => {
        await redis.set('kept', 'still here');
        expect(await redis.get('kept')).toBe('still here');
      });
    } finally {
      await first.stop();
    }
    expect(await portAnswers(postgresPort)).toBe(false);
    expect(await portAnswers(redisPort)).toBe(false);

    const second = await ensureServices(options);
    try {
      expect(second.databaseUrl).toBe(first.databaseUrl);
      expect((await query(second.databaseUrl, 'SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
      expect(await withRedis(second.redisUrl, (redis) => redis.get('kept'))).toBe('still here');
    } finally {
      await second.stop();
    }
    expect(await portAnswers(postgresPort)).toBe(false);
    expect(await portAnswers(redisPort)).toBe(false);
  });

  it('fails on one line naming DATABASE_URL when it does not answer', async () => {
    const [closed] = await freePorts(1);
    const failure = ensureServices({
      env: { DATABASE_URL: `postgres://app:secret@127.0.0.1:${closed}/servicetower` },
      dataDir,
      log: () => {},
    });
    await expect(failure).rejects.toThrow(
      `DATABASE_URL (postgres://app:***@127.0.0.1:${closed}/servicetower) does not answer: connect ECONNREFUSED 127.0.0.1:${closed}`,
    );
    await expect(failure).rejects.toThrow(/^[^\n]*$/);
  });

  it('fails on one line naming REDIS_URL when it does not answer', async () => {
    const [closed] = await freePorts(1);
    const failure = ensureServices({ env: { REDIS_URL: `redis://127.0.0.1:${closed}` }, dataDir, log: () => {} });
    await expect(failure).rejects.toThrow(/^REDIS_URL \(redis:\/\/127\.0\.0\.1:\d+\) does not answer: [^\n]+$/);
  });

  it('says what to install when no Redis answers and redis-server is missing', async () => {
    const [closed] = await freePorts(1);
    const failure = ensureServices({
      env: {},
      dataDir,
      log: () => {},
      defaultRedisUrl: `redis://127.0.0.1:${closed}`,
      redisServerBin: 'no-such-redis-server',
    });
    await expect(failure).rejects.toThrow(
      `No Redis answers on 127.0.0.1:${closed} and no-such-redis-server is not installed: install Redis (apt-get install redis-server) or set REDIS_URL.`,
    );
  });
});
