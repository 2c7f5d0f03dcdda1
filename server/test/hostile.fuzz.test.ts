// Property-based fuzzing (fast-check) of every ingestion schema, with records generated from the TypeBox
// schemas themselves (domain/src/streams.ts): any record the schema allows — times anywhere from 1970 to 9999
// at any offset PostgreSQL takes, any text but NUL, any number in range — is accepted and stored exactly (as
// JSON or NDJSON); the same record with one field broken (wrong type, out of range or pattern, missing, or an
// unknown field) is refused with a 422 whose errors name that field.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileValidator, STREAM_NAMES, STREAMS, Timestamp, type StreamName } from '@servicetower/domain';
import { mutation, offsetDateTime, valid } from './support/arbitraries.js';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';
import { ingestionFailures } from './support/queues.js';
import type { JsonSchema } from './support/routes.js';
import { storedDifferences } from './support/stored.js';

const VALID_RUNS = 200;
const MUTATED_RUNS = 400;
const SEED = Number(process.env.FUZZ_SEED ?? 20260301);

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ workers: true });
  await seedReference(h.app, h.adminKey);
}, 120_000);
afterAll(() => h?.close());

/** Times the schema allows (its format decides, whatever it is): the generator goes wider, to ±18:59. */
const isTimestamp = compileValidator(Timestamp);
const storableTime = offsetDateTime(18).filter((at) => isTimestamp.check(at));

let serial = 0;
/** Reference fields kept within the seeded network; every other field as the schema makes it. */
const OVERRIDES: Record<string, fc.Arbitrary<unknown>> = {
  outletId: fc.constantFrom('bj-01', 'gz-01'),
  productLine: fc.constantFrom('tv', 'phone'),
  partNo: fc.constantFrom('P-100', 'P-200'),
  at: storableTime,
  // Unique across runs (an event id already stored is skipped on purpose), still any id the pattern allows.
  eventId: valid(STREAMS['service-orders'].schema.properties.eventId as unknown as JsonSchema).map((id) => `${String(id).slice(0, 100)}.${(serial++).toString(36)}`),
};

/** Telemetry: samples at distinct instants (readings are keyed by device, sensor and time); each record gets a device of its own. */
function telemetryRecord(): fc.Arbitrary<Record<string, unknown>> {
  const sample = fc.record({
    at: storableTime,
    values: valid(STREAMS.telemetry.schema.properties.readings.items.properties.values as unknown as JsonSchema, { recordKeys: fc.constantFrom('s2', 's3', 's4'), maxItems: 3 }),
  });
  return fc.uniqueArray(sample, { minLength: 1, maxLength: 6, selector: (s) => Date.parse(s.at) }).map((readings) => ({ deviceId: 'eng-1', readings }));
}

function recordOf(stream: StreamName): fc.Arbitrary<Record<string, unknown>> {
  if (stream === 'telemetry') return telemetryRecord();
  return valid(STREAMS[stream].schema as unknown as JsonSchema, { overrides: OVERRIDES }) as fc.Arbitrary<Record<string, unknown>>;
}

const post = (stream: StreamName, records: object[], ndjson: boolean) =>
  h.app.inject({
    method: 'POST',
    url: `/api/v1/ingest/${stream}`,
    headers: { ...bearer(h.adminKey), 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
    payload: ndjson ? records.map((r) => JSON.stringify(r)).join('\n') : JSON.stringify(records),
  });

const counts: Record<string, { runs: number; records: number }> = {};

describe.each(STREAM_NAMES)('%s', (stream) => {
  const validator = compileValidator(STREAMS[stream].schema);

  it('takes every record its schema allows, and stores it exactly', async () => {
    const sent: Array<Record<string, unknown>> = [];
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(recordOf(stream), { minLength: 1, maxLength: stream === 'telemetry' ? 3 : 8 }), fc.boolean(), async (generated, ndjson) => {
        runs += 1;
        let batch = generated;
        if (stream === 'telemetry') {
          batch = [];
          for (const [i, record] of generated.entries()) {
            const device = `fz-${runs}-${i}`;
            const put = await h.app.inject({ method: 'PUT', url: `/api/v1/devices/${device}`, headers: bearer(h.adminKey), payload: { modelId: 'engine', outletId: 'bj-01' } });
            expect(put.statusCode).toBe(200);
            batch.push({ ...record, deviceId: device });
          }
        }
        for (const record of batch) expect(validator.errors(record)).toEqual([]);
        const response = await post(stream, batch, ndjson);
        expect(response.statusCode, response.body).toBe(202);
        expect(response.json()).toMatchObject({ accepted: batch.length, rejectedCount: 0 });
        sent.push(...batch);
      }),
      { numRuns: VALID_RUNS, seed: SEED, endOnFailure: true },
    );
    expect(await ingestionFailures(h, [stream], 60_000)).toEqual([]);
    expect(await storedDifferences(h.pool, stream, sent)).toEqual([]);
    counts[`${stream} valid`] = { runs, records: sent.length };
  }, 300_000);

  it('refuses a record with one field broken, with a 422 naming that field', async () => {
    const schema = STREAMS[stream].schema as unknown as JsonSchema;
    const breakage = stream === 'telemetry'
      ? fc.oneof(
        mutation(schema),
        mutation(STREAMS.telemetry.schema.properties.readings.items as unknown as JsonSchema).map((m) => ({
          path: `/readings/0${m.path}`,
          apply: (record: Record<string, unknown>) => ({ ...record, readings: [m.apply((record.readings as Array<Record<string, unknown>>)[0]!), ...(record.readings as unknown[]).slice(1)] }),
        })),
      )
      : mutation(schema);
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(recordOf(stream), breakage, fc.boolean(), async (record, broken, ndjson) => {
        const bad = broken.apply(record);
        fc.pre(!validator.check(bad));
        runs += 1;
        const response = await post(stream, [bad], ndjson);
        expect(response.statusCode, response.body).toBe(422);
        const paths = (response.json().rejected[0].errors as Array<{ path: string; message: string }>).map((e) => e.path);
        expect(paths.some((path) => path === broken.path || path.startsWith(`${broken.path}/`)), `${broken.path} not in ${paths.join(', ')}`).toBe(true);
      }),
      { numRuns: MUTATED_RUNS, seed: SEED, endOnFailure: true },
    );
    counts[`${stream} mutated`] = { runs, records: runs };
  }, 300_000);
});

afterAll(() => {
  console.log(`fuzz (seed ${SEED}): ${Object.entries(counts).map(([name, c]) => `${name} ${c.runs} runs / ${c.records} records`).join('; ')}`);
});
