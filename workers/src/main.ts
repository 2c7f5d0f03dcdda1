import { pino } from 'pino';
import { ConfigError, loadConfig } from '@servicetower/domain';
import { startWorkers } from './runtime.js';

const log = pino({ name: 'workers', level: process.env.LOG_LEVEL ?? 'info' });

try {
  const config = loadConfig(process.env);
  const workers = await startWorkers(config, log);
  // SIGTERM: finish the jobs in flight (or hand them back when the lock lapses), then exit.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'closing workers');
      workers.close().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'workers did not close cleanly');
          process.exit(1);
        },
      );
    });
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
