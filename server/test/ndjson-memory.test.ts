// An NDJSON upload far larger than the API should ever hold streams through it: the API
// (a real process, so that its resident memory can be read) stays within a fixed bound.
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedReference, startHarness, type Harness } from './support/harness.js';
import { configEnv, ProcessGroup, residentMemory, resetPeakRss, type NodeProcess } from './support/processes.js';

const READINGS = 1_000_000;
const SAMPLES_PER_RECORD = 100;
const SENSORS = ['s2', 's3', 's4'] as const;
const DEVICES = ['eng-1', 'eng-2'];
const START = Date.parse('2026-03-01T00:00:00Z');
const MB = 1024 * 1024;
/**
 * Peak growth of the API's resident memory during the upload. Parsed whole, these records
 * alone hold about 120 MB, so an API that read the body before handling it could not stay
 * under this; a streaming one grows by garbage until V8 collects it, which tops out near
 * 75 MB even for a body four times this size.
 */
const RSS_GROWTH_LIMIT = 100 * MB;
const SAMPLE_EVERY_MS = 100;
const CHUNK_BYTES = 64 * 1024;

let h: Harness;
let api: NodeProcess;
let baseUrl: string;
const processes = new ProcessGroup();
beforeAll(async () => {
  // Workers start only once the upload is answered, so that it measures the API alone;
  // 1,000,000 readings are 200 jobs of 5,000, far below the high-water mark of 2,000
  // waiting jobs, so the upload is never held back.
  h = await startHarness({ workers: false, env: { INGEST_JOB_READINGS: '5000', QUEUE_HIGH_WATER: '2000' } });
  await seedReference(h.app, h.adminKey);
  api = processes.start('api', 'server/src/server.ts', configEnv(h.config, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }));
  baseUrl = (await api.waitForOutput(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
});
afterAll(async () => {
  await processes.stopAll();
  await h?.close();
});

/**
 * Lines of telemetry made as they are sent: records of 100 samples of s2, s3 and s4, the
 * devices taking turns, each sample a second after the last on its device.
 */
function* telemetryLines(): Generator<string> {
  let remaining = READINGS;
  for (let record = 0; remaining > 0; record++) {
    const readings: { at: string; values: Record<string, number> }[] = [];
    for (let s = 0; s < SAMPLES_PER_RECORD && remaining > 0; s++) {
      const second = Math.floor(record / DEVICES.length) * SAMPLES_PER_RECORD + s;
      const values: Record<string, number> = {};
      for (const sensor of SENSORS.slice(0, Math.min(SENSORS.length, remaining))) values[sensor] = reading(sensor, second);
      remaining -= Object.keys(values).length;
      readings.push({ at: new Date(START + second * 1000).toISOString(), values });
    }
    yield `${JSON.stringify({ deviceId: DEVICES[record % DEVICES.length], readings })}\n`;
  }
}

function reading(sensor: (typeof SENSORS)[number], second: number): number {
  const base = { s2: 642, s3: 1590, s4: 1400 }[sensor];
  return Math.round((base + Math.sin(second / 60) * 2) * 1000) / 1000;
}

/** Chunks of about CHUNK_BYTES, joined from whole lines. */
function* chunks(lines: Iterable<string>): Generator<Buffer> {
  let pending: string[] = [];
  let size = 0;
  for (const line of lines) {
    pending.push(line);
    size += line.length;
    if (size >= CHUNK_BYTES) {
      yield Buffer.from(pending.join(''));
      pending = [];
      size = 0;
    }
  }
  if (pending.length > 0) yield Buffer.from(pending.join(''));
}

interface Upload {
  status: number;
  body: { accepted: number; rejectedCount: number; rejected: unknown[] };
  bytes: number;
  records: number;
}

/** POSTs the lines as a chunked NDJSON body, writing only as fast as the API reads. */
async function uploadNdjson(lines: Iterable<string>): Promise<Upload> {
  const upload = request(`${baseUrl}/api/v1/ingest/telemetry`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/x-ndjson' },
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    upload.once('response', resolve);
    upload.once('error', reject);
  });
  let bytes = 0;
  let records = 0;
  let early = false;
  void answered.then(() => (early = true), () => (early = true));
  const counted = function* () {
    for (const line of lines) {
      records += 1;
      yield line;
    }
  };
  for (const chunk of chunks(counted())) {
    if (early) break; // the API answered before the end: an error, reported below
    bytes += chunk.length;
    if (!upload.write(chunk)) await Promise.race([once(upload, 'drain'), answered]);
  }
  upload.end();
  const response = await answered;
  let text = '';
  for await (const part of response) text += String(part);
  return { status: response.statusCode ?? 0, body: JSON.parse(text) as Upload['body'], bytes, records };
}

/** Reads the process's resident memory every SAMPLE_EVERY_MS until stopped; returns the highest seen. */
function sampleRss(pid: number): { stop(): Promise<number> } {
  let highest = 0;
  let reading = Promise.resolve();
  const timer = setInterval(() => {
    reading = reading.then(async () => {
      highest = Math.max(highest, (await residentMemory(pid)).now);
    });
  }, SAMPLE_EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      await reading;
      return highest;
    },
  };
}

describe('a large NDJSON upload', () => {
  it('streams 1,000,000 readings through the API in bounded memory and stores them all', async () => {
    await resetPeakRss(api.pid);
    const before = (await residentMemory(api.pid)).now;
    const sampler = sampleRss(api.pid);
    const upload = await uploadNdjson(telemetryLines());
    const peak = Math.max(await sampler.stop(), (await residentMemory(api.pid)).peak);
    console.log(
      `NDJSON body ${(upload.bytes / MB).toFixed(1)} MB (${upload.records} records, ${READINGS} readings); ` +
        `API RSS before ${(before / MB).toFixed(1)} MB, peak ${(peak / MB).toFixed(1)} MB, growth ${((peak - before) / MB).toFixed(1)} MB`,
    );

    expect(upload.status, JSON.stringify(upload.body)).toBe(202);
    expect(upload.body).toMatchObject({ accepted: upload.records, rejectedCount: 0 });
    expect(peak - before).toBeLessThan(RSS_GROWTH_LIMIT);

    await h.startWorkers();
    await h.drained(90_000);
    expect(await h.count('SELECT 1 FROM reading')).toBe(READINGS);
  }, 150_000);
});
