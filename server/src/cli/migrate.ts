import { ConfigError, loadConfig } from '@servicetower/domain';
import { migrate } from '../db/migrate.js';
import { withServiceUrls } from '../start/localEnv.js';

try {
  const { DATABASE_URL } = loadConfig({ REDIS_URL: 'redis://unused', ...withServiceUrls(process.env) });
  const applied = await migrate(DATABASE_URL, (line) => console.error(line));
  console.log(applied.length > 0 ? `Applied ${applied.join(', ')}.` : 'The database is up to date.');
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Migration failed: ${(error as Error).message}`);
  process.exit(1);
}
