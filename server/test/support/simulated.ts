import type { AddressInfo } from 'node:net';
import { backfill, defaultSettings, IngestClient, type Backfill, type SimulationSettings } from '@servicetower/simulator';
import type { Harness } from './harness.js';

export interface SimulatedRunOptions {
  /** Overrides of the simulator's default settings (months, outlets, seed …). */
  settings: Parameters<typeof defaultSettings>[1];
  /** The simulated "now"; the history ends there. */
  now?: number;
  /** Folder of the NASA C-MAPSS files; null: no engines. */
  cmapssDir?: string | null;
  telemetryEveryMs?: number;
}

/**
 * A seeded simulator run sent through the harness's real API (listening on a free port) with a key
 * of the ingestion scopes, waited for until the workers have stored everything.
 */
export async function simulatedRun(h: Harness, options: SimulatedRunOptions): Promise<Backfill & { settings: SimulationSettings }> {
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = h.app.server.address() as AddressInfo;
  const key = await h.key(['service-orders', 'parts', 'complaints', 'telemetry', 'reference']);
  const settings = defaultSettings(options.now ?? Date.parse('2026-03-20T10:00:00+08:00'), options.settings);
  const run = await backfill({
    settings,
    client: new IngestClient({ url: `http://127.0.0.1:${port}`, key }),
    batchSize: 500,
    concurrency: 4,
    cmapssDir: options.cmapssDir ?? null,
    telemetryEveryMs: options.telemetryEveryMs ?? 24 * 3_600_000,
    log: () => {},
  });
  await h.drained(120_000);
  return { ...run, settings };
}
