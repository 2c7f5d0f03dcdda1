import { Type, type Static } from '@sinclair/typebox';

export * from './rul/features.js';
export * from './rul/boosting.js';
export * from './rul/model.js';
export * from './rul/scoring.js';

/** The device model whose devices get a remaining-useful-life estimate: the simulator's C-MAPSS turbofan. */
export const ENGINE_DEVICE_MODEL_ID = 'cmapss-turbofan';

/** The C-MAPSS file the model is trained from, in the `CMAPSS_DIR` folder. */
export const RUL_TRAINING_FILE = 'train_FD001.txt';

/** The RUL refresh after a telemetry job: one per job, so a retried ingest job does not queue it twice. */
export function rulJobId(telemetryJobId: string): string {
  return `rul.${telemetryJobId}`;
}

export const DeviceRul = Type.Object(
  {
    deviceId: Type.String(),
    cyclesFlown: Type.Integer({ description: 'flight cycle number of the engine’s last flight' }),
    rulCycles: Type.Number({ description: 'estimated flights left before failure, after the last one reported' }),
    modelId: Type.String({ description: 'the stored RUL model that made the estimate' }),
    lastReadingAt: Type.String({ description: 'ISO-8601 time of the last flight the estimate saw' }),
    computedAt: Type.String({ description: 'ISO-8601 time the estimate was computed' }),
  },
  { description: 'remaining useful life of an engine, learned from run-to-failure history (NASA C-MAPSS FD001)' },
);
export type DeviceRul = Static<typeof DeviceRul>;
