// `npm run simulate -- [--seed N] [--months 12] [--live] [--rate N] [--url URL] [--key KEY] [--truth FILE]`
// Sends a simulated service network through the public ingestion API, then (with --live) streams on.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { IngestClient } from './client.js';
import { backfill, streamLive } from './run.js';
import { defaultSettings } from './settings.js';
import { defaultCmapssDir } from './telemetry/index.js';

const USAGE = `Usage: npm run simulate -- [options]
  --url URL            API base URL (default $SIMULATOR_URL or http://127.0.0.1:8080)
  --key KEY            API key with scopes service-orders, parts, complaints, telemetry, reference ($SIMULATOR_KEY)
  --seed N             same seed, same data (default 1)
  --months N           months of history before now (default 12)
  --outlets N          outlets in the network (default 80)
  --truth FILE         where to write the ground truth (default .data/simulator/truth-<seed>.json)
  --live               after the history, stream telemetry live until stopped
  --rate N             live fleet samples per device per minute (default 6)
  --flight-seconds N   live: seconds between engine flights (default 30)
  --telemetry-minutes N  history: minutes between fleet samples (default 60)
  --no-engines         leave out the NASA C-MAPSS engine replay
  --if-empty           send the history only if the API holds no network yet (what npm start does)
  --batch N            events per request (default 500)
  --concurrency N      requests in flight (default 4)`;

const { values } = parseArgs({
  options: {
    url: { type: 'string' }, key: { type: 'string' }, seed: { type: 'string' }, months: { type: 'string' }, outlets: { type: 'string' },
    truth: { type: 'string' }, live: { type: 'boolean' }, rate: { type: 'string' }, 'flight-seconds': { type: 'string' },
    'telemetry-minutes': { type: 'string' }, 'no-engines': { type: 'boolean' }, 'if-empty': { type: 'boolean' }, batch: { type: 'string' }, concurrency: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function whole(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name} must be a whole number of at least ${min}, got ${JSON.stringify(text)}\n\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

/** Engines need the NASA files; without them the rest of the network still runs. */
function cmapssDirOrNull(dir: string): string | null {
  if (existsSync(dir)) return dir;
  console.warn(`[simulate] ${dir} not found: engines left out (set CMAPSS_DIR to the folder holding the NASA C-MAPSS FD001 files)`);
  return null;
}

const key = values.key ?? process.env.SIMULATOR_KEY;
if (!key) {
  console.error(`An API key is needed: --key or SIMULATOR_KEY (npm run admin -- create-key --name simulator --scopes service-orders,parts,complaints,telemetry,reference)\n\n${USAGE}`);
  process.exit(2);
}
const seed = whole('seed', values.seed, 1, 0);
const settings = defaultSettings(Date.now(), { seed, months: whole('months', values.months, 12), outlets: whole('outlets', values.outlets, 80) });
const options = {
  settings,
  client: new IngestClient({ url: values.url ?? process.env.SIMULATOR_URL ?? 'http://127.0.0.1:8080', key }),
  batchSize: whole('batch', values.batch, 500),
  concurrency: whole('concurrency', values.concurrency, 4),
  cmapssDir: values['no-engines'] ? null : cmapssDirOrNull(defaultCmapssDir()),
  telemetryEveryMs: whole('telemetry-minutes', values['telemetry-minutes'], 60) * 60_000,
  log: (line: string) => console.log(`[simulate] ${line}`),
};

const send = !(values['if-empty'] && (await options.client.hasNetwork()));
if (!send) options.log('the API already holds a network: history not sent again');
// Live runs generate 30 more days of events, sent as their time comes.
const state = await backfill({ ...options, send, liveHorizonMs: values.live ? 30 * 86_400_000 : 0 });
const truthPath = resolve(values.truth ?? `.data/simulator/truth-${seed}.json`);
mkdirSync(dirname(truthPath), { recursive: true });
writeFileSync(truthPath, JSON.stringify({ settings, summary: state.summary, ...state.truth }));
options.log(`ground truth: ${truthPath}`);

if (values.live) {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());
  await streamLive(state, {
    ...options,
    samplesPerMinute: whole('rate', values.rate, 6),
    flightEveryMs: whole('flight-seconds', values['flight-seconds'], 30) * 1000,
    tickMs: 5000,
    signal: controller.signal,
  });
}
