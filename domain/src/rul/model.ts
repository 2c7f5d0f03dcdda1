import { boostingSteps, predictTrees, type BoostedTrees, type BoostingParams } from './boosting.js';
import { DEFAULT_FEATURE_WINDOWS, engineFeatures, featuresAt, RUL_SENSORS, sensorStatistics, standardise, type FeatureSpec, type RulFlight } from './features.js';

/**
 * The remaining-useful-life model: an average of boosted-tree ensembles grown with different seeds on
 * the features of every flight of run-to-failure engines, the target being the remaining cycles capped
 * at `cap` (the piecewise-linear target: early in life, wear does not show yet). Plain JSON.
 */
export interface RulModel {
  kind: 'boosted-trees';
  version: 1;
  cap: number;
  features: FeatureSpec;
  boosting: Omit<BoostingParams, 'seed'>;
  seeds: number[];
  members: BoostedTrees[];
  /** Engines and rows (flights) it was trained on. */
  trainedOn: { engines: number; rows: number };
}

export interface RulTrainingOptions {
  cap?: number;
  seeds?: number[];
  boosting?: Partial<Omit<BoostingParams, 'seed'>>;
  windows?: Partial<typeof DEFAULT_FEATURE_WINDOWS>;
}

export const DEFAULT_RUL_CAP = 125;
export const DEFAULT_BOOSTING: Omit<BoostingParams, 'seed'> = { trees: 300, learningRate: 0.05, maxDepth: 5, minLeafRows: 20, subsample: 0.7, bins: 64 };
export const DEFAULT_SEEDS = [1, 2, 3];

/** Trains on engines run to failure: each one's flights in cycle order, its last flight being its last before failure. */
export function trainRulModel(engines: readonly (readonly RulFlight[])[], options: RulTrainingOptions = {}): RulModel {
  const steps = rulTrainingSteps(engines, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The same training in steps of one engine's features or one tree, for a caller that must not block its thread for long. */
export function* rulTrainingSteps(engines: readonly (readonly RulFlight[])[], options: RulTrainingOptions = {}): Generator<void, RulModel> {
  const cap = options.cap ?? DEFAULT_RUL_CAP;
  const used = engines.filter((flights) => flights.length > 0);
  const features: FeatureSpec = {
    sensors: [...RUL_SENSORS],
    ...sensorStatistics(used, RUL_SENSORS),
    ...DEFAULT_FEATURE_WINDOWS,
    ...options.windows,
  };
  const rows: number[][] = [];
  const targets: number[] = [];
  for (const flights of used) {
    const columns = standardise(flights, features);
    const failure = flights.at(-1)!.cycle;
    flights.forEach((flight, i) => {
      rows.push(featuresAt(columns, flight.cycle, i, features));
      targets.push(Math.min(cap, failure - flight.cycle));
    });
    yield;
  }
  const boosting = { ...DEFAULT_BOOSTING, ...options.boosting };
  const seeds = options.seeds ?? DEFAULT_SEEDS;
  const members: BoostedTrees[] = [];
  for (const seed of seeds) members.push(yield* boostingSteps(rows, targets, { ...boosting, seed }));
  return { kind: 'boosted-trees', version: 1, cap, features, boosting, seeds, members, trainedOn: { engines: used.length, rows: rows.length } };
}

/** Remaining cycles after the engine's last flight (flights in cycle order), within [0, cap]; null when it has flown none. */
export function predictRul(model: RulModel, flights: readonly RulFlight[]): number | null {
  const x = engineFeatures(flights, model.features);
  if (x === null) return null;
  const mean = model.members.reduce((sum, member) => sum + predictTrees(member, x), 0) / model.members.length;
  return Math.min(model.cap, Math.max(0, mean));
}

/** Reads a model written by JSON.stringify, checking that it is one this code can score. */
export function parseRulModel(json: unknown): RulModel {
  const model = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<RulModel> | null;
  if (model?.kind !== 'boosted-trees' || model.version !== 1 || !Array.isArray(model.members) || model.members.length === 0 || !model.features) {
    throw new Error('Stored RUL model is not a version-1 boosted-trees model: retrain it (delete the rul_model rows; the next rul job trains).');
  }
  return model as RulModel;
}
