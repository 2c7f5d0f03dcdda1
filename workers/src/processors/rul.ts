import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import {
  DEFAULT_BOOSTING, DEFAULT_FEATURE_WINDOWS, DEFAULT_RUL_CAP, DEFAULT_SEEDS, ENGINE_DEVICE_MODEL_ID, nasaScore, parseRulModel, predictRul, rmse,
  RUL_TRAINING_FILE, rulJobId, rulTrainingSteps, type Config, type QueuePayloads, type RulFlight, type RulModel, type TelemetryRecord,
} from '@servicetower/domain';
import type { Pool } from '../db.js';
import { readCmapssFile, readTrueRul, resolveCmapssDir } from '../rul/cmapss.js';
import { devicesOfModel, findRulModel, insertRulModel, readEngineFlights, upsertDeviceRul, type DeviceRulRow } from '../repositories/rul.js';

export interface StoredRulModel {
  modelId: string;
  model: RulModel;
}

/** The training recipe is part of a model's id: a change of recipe, like a change of data, trains a new model. */
const RECIPE = JSON.stringify({ DEFAULT_BOOSTING, DEFAULT_FEATURE_WINDOWS, DEFAULT_RUL_CAP, DEFAULT_SEEDS });

/** Per pool, the model last loaded and the training file's state it was checked against, so a job reads the file only when it changed. */
const loaded = new WeakMap<Pool, { fileState: string; stored: StoredRulModel }>();

/**
 * The RUL model for the training file in `CMAPSS_DIR`: the stored one when it was trained from this file
 * with this recipe, else trained now (tens of seconds, yielding between trees) and stored. Concurrent
 * workers wait for one another instead of training twice. With no training file, the newest stored model.
 */
export async function ensureRulModel(pool: Pool, config: Config, log?: Logger): Promise<StoredRulModel> {
  const path = resolve(resolveCmapssDir(config.CMAPSS_DIR), RUL_TRAINING_FILE);
  const info = await stat(path).catch(() => null);
  const fileState = info ? `${path}:${info.size}:${info.mtimeMs}` : '';
  const cached = loaded.get(pool);
  if (cached && cached.fileState === fileState) return cached.stored;
  if (!info) {
    // Without the data (a replica deployed without CMAPSS_DIR), the model already stored still serves.
    const newest = await findRulModel(pool, null);
    if (newest) {
      const stored = { modelId: newest.model_id, model: parseRulModel(newest.params) };
      loaded.set(pool, { fileState, stored });
      return stored;
    }
  }

  const file = await readCmapssFile(path);
  const modelId = `rul-${createHash('sha256').update(`${file.sha256}\n${RECIPE}`).digest('hex').slice(0, 16)}`;
  let row = await findRulModel(pool, modelId);
  if (!row) {
    const client = await pool.connect();
    try {
      await client.query(`SELECT pg_advisory_lock(hashtext('rul_model'))`);
      row = await findRulModel(client, modelId);
      if (!row) {
        const started = performance.now();
        const model = await trainYielding(file.engines.map((engine) => engine.flights));
        const trainingSeconds = (performance.now() - started) / 1000;
        const rmseNote = await testSetNote(model, path);
        await insertRulModel(client, {
          modelId, trainingSource: path, trainingSha256: file.sha256, trainingRows: model.trainedOn.rows, trainingSeconds, model, rmseNote,
        });
        log?.info({ modelId, engines: model.trainedOn.engines, rows: model.trainedOn.rows, trainingSeconds, rmseNote }, 'RUL model trained');
        row = { model_id: modelId, training_sha256: file.sha256, params: model };
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('rul_model'))`).catch(() => {});
      client.release();
    }
  }
  const stored = { modelId: row.model_id, model: parseRulModel(row.params) };
  loaded.set(pool, { fileState, stored });
  return stored;
}

/** Training gives the event loop back after every tree, so that the worker's other jobs and its lock renewals go on. */
async function trainYielding(engines: RulFlight[][]): Promise<RulModel> {
  const steps = rulTrainingSteps(engines);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await setImmediate();
  }
}

/** When the training file has its test pair beside it (test_FD001.txt, RUL_FD001.txt), how the model does there. */
async function testSetNote(model: RulModel, trainingPath: string): Promise<string | null> {
  const name = trainingPath.slice(dirname(trainingPath).length + 1);
  const testPath = resolve(dirname(trainingPath), name.replace(/^train_/, 'test_'));
  const truthPath = resolve(dirname(trainingPath), name.replace(/^train_/, 'RUL_'));
  if (testPath === trainingPath) return null;
  try {
    const [test, truth] = await Promise.all([readCmapssFile(testPath), readTrueRul(truthPath)]);
    if (truth.length !== test.engines.length) return null;
    const predicted = test.engines.map((engine) => predictRul(model, engine.flights)!);
    const actual = truth.map((cycles) => Math.min(model.cap, cycles));
    return `RMSE ${rmse(predicted, actual).toFixed(2)} cycles, NASA score ${nasaScore(predicted, actual).toFixed(1)} on ${testPath} ` +
      `(${test.engines.length} engines, true RUL capped at ${model.cap})`;
  } catch {
    return null;
  }
}

/**
 * Scores the engines among these devices (devices of model `cmapss-turbofan`) from their stored flights
 * and stores each estimate; returns how many were stored. Without a model given, the newest stored one.
 */
export async function refreshDeviceRul(pool: Pool, deviceIds: readonly string[], stored?: StoredRulModel): Promise<number> {
  const engines = await devicesOfModel(pool, deviceIds, ENGINE_DEVICE_MODEL_ID);
  if (engines.length === 0) return 0;
  const using = stored ?? (await newestRulModel(pool));
  const rows: DeviceRulRow[] = [];
  for (const deviceId of engines) {
    const engine = await readEngineFlights(pool, deviceId, using.model.features.sensors);
    const rulCycles = engine && predictRul(using.model, engine.flights);
    if (!engine || rulCycles === null) continue;
    rows.push({ deviceId, cyclesFlown: Math.round(engine.flights.at(-1)!.cycle), rulCycles, modelId: using.modelId, lastReadingAt: engine.lastReadingAt });
  }
  return rows.length > 0 ? upsertDeviceRul(pool, rows) : 0;
}

async function newestRulModel(pool: Pool): Promise<StoredRulModel> {
  const row = await findRulModel(pool, null);
  if (!row) throw new Error('No RUL model is stored yet: the first rul job trains one from CMAPSS_DIR (ensureRulModel).');
  return { modelId: row.model_id, model: parseRulModel(row.params) };
}

/** The rul job: trains the model if it must (only once engines need it), then refreshes the job's engines. */
export async function processRulJob(pool: Pool, config: Config, job: QueuePayloads['rul'], log?: Logger) {
  const engines = await devicesOfModel(pool, job.deviceIds, ENGINE_DEVICE_MODEL_ID);
  if (engines.length === 0) return { engines: 0, refreshed: 0 };
  const stored = await ensureRulModel(pool, config, log);
  const refreshed = await refreshDeviceRul(pool, engines, stored);
  return { engines: engines.length, refreshed, modelId: stored.modelId };
}

/** After a telemetry job: one rul job for the devices it wrote, its id derived from the telemetry job's so a retry queues it once. */
export async function queueRulRefresh(queue: Queue<QueuePayloads['rul']>, telemetryJobId: string, records: readonly TelemetryRecord[]): Promise<void> {
  const deviceIds = [...new Set(records.map((record) => record.deviceId))].sort();
  await queue.add('rul', { deviceIds }, { jobId: rulJobId(telemetryJobId) });
}
