// The RUL model on synthetic degradation curves whose remaining life is known, and its scoring by hand.
import { describe, expect, it } from 'vitest';
import {
  engineFeatures, featureNames, featuresAt, nasaScore, parseRulModel, predictRul, predictTrees, rmse, RUL_SENSORS, rulTrainingSteps, seededRandom, standardise,
  trainBoostedTrees, trainRulModel, type FeatureSpec, type RulFlight,
} from '../src/rul.js';

/** An engine that fails after `life` flights: every sensor drifts by a wear term that grows as failure nears, plus seeded noise. */
function syntheticEngine(life: number, seed: number): RulFlight[] {
  const random = seededRandom(seed);
  const offset = random() - 0.5;
  return Array.from({ length: life }, (_, i) => {
    const cycle = i + 1;
    const wear = Math.exp((cycle - life) / 35);
    const values: Record<string, number> = { op1: 0, s1: 518.67 };
    RUL_SENSORS.forEach((sensor, j) => {
      values[sensor] = 100 + 10 * j + (j % 2 === 0 ? 1 : -1) * (5 * wear + 0.2 * offset) + 0.3 * (random() - 0.5);
    });
    return { cycle, values };
  });
}

const fleet = (n: number, seed: number) => Array.from({ length: n }, (_, k) => syntheticEngine(120 + ((k * 37) % 140), seed + k));
const SMALL = { seeds: [7], boosting: { trees: 60, maxDepth: 4, minLeafRows: 10 } };

const spec: FeatureSpec = {
  sensors: ['a'], means: [10], stds: [2], window: 4, shortWindow: 2, alpha: 0.5, baselineCycles: 2,
};
const series = (values: number[]): RulFlight[] => values.map((a, i) => ({ cycle: i + 1, values: { a } }));

describe('RUL features', () => {
  it('names the cycle count and five figures per sensor', () => {
    expect(featureNames(spec)).toEqual(['cycles', 'a.mean', 'a.recent', 'a.slope', 'a.ewma', 'a.drift']);
  });

  it('computes window mean, recent mean, least-squares slope, EWMA and drift from the baseline on z-scores', () => {
    // z-scores of 10, 12, 14, 16, 18 with mean 10 and std 2: 0, 1, 2, 3, 4.
    const x = engineFeatures(series([10, 12, 14, 16, 18]), spec)!;
    const ewma = [1, 2, 3, 4].reduce((value, z) => value + 0.5 * (z - value), 0);
    expect(x[0]).toBe(5);
    expect(x[1]).toBeCloseTo(2.5, 12); // mean of 1, 2, 3, 4 (last 4)
    expect(x[2]).toBeCloseTo(3.5, 12); // mean of 3, 4 (last 2)
    expect(x[3]).toBeCloseTo(1, 12); // one z-unit per cycle
    expect(x[4]).toBeCloseTo(ewma, 12);
    expect(x[5]).toBeCloseTo(3.5 - 0.5, 12); // recent mean minus the mean of the first 2 flights
  });

  it('sees only the flights up to the one scored, and repeats a sensor missing from a flight', () => {
    const flights = syntheticEngine(80, 3);
    const model = { ...spec, sensors: [...RUL_SENSORS], means: RUL_SENSORS.map(() => 150), stds: RUL_SENSORS.map(() => 30), window: 30, shortWindow: 10, baselineCycles: 15 };
    const columns = standardise(flights, model);
    expect(featuresAt(columns, 40, 39, model)).toEqual(engineFeatures(flights.slice(0, 40), model));
    const gap = series([10, 12, 14]);
    gap[1] = { cycle: 2, values: {} };
    expect(engineFeatures(gap, spec)).toEqual(engineFeatures(series([10, 10, 14]), spec));
    expect(engineFeatures([], spec)).toBeNull();
  });
});

describe('RUL model', () => {
  const training = fleet(24, 100);
  const model = trainRulModel(training, SMALL);

  it('trains the same model from the same data, and a different one with another seed', () => {
    expect(JSON.stringify(trainRulModel(training, SMALL))).toBe(JSON.stringify(model));
    expect(JSON.stringify(trainRulModel(training, { ...SMALL, seeds: [8] }))).not.toBe(JSON.stringify(model));
  });

  it('trains in steps to the same model as in one go', () => {
    const steps = rulTrainingSteps(training, SMALL);
    let step = steps.next();
    let count = 0;
    while (!step.done) {
      count += 1;
      step = steps.next();
    }
    expect(count).toBe(training.length + 60);
    expect(JSON.stringify(step.value)).toBe(JSON.stringify(model));
  });

  it('estimates the remaining life of engines it has not seen, within the cap', () => {
    const cut = [30, 60, 90, 110, 150];
    const unseen = fleet(10, 900).map((flights, k) => ({ flights: flights.slice(0, Math.min(flights.length - 1, cut[k % cut.length]!)), life: flights.length }));
    const predicted = unseen.map(({ flights }) => predictRul(model, flights)!);
    const actual = unseen.map(({ flights, life }) => Math.min(125, life - flights.length));
    expect(predicted.every((p) => p >= 0 && p <= 125)).toBe(true);
    expect(rmse(predicted, actual)).toBeLessThan(15);
    expect(predictRul(model, [])).toBeNull();
  });

  it('survives a JSON round trip with the same estimates, and refuses what is not a model', () => {
    const copy = parseRulModel(JSON.stringify(model));
    const flights = syntheticEngine(150, 42).slice(0, 100);
    expect(predictRul(copy, flights)).toBe(predictRul(model, flights));
    expect(parseRulModel(JSON.parse(JSON.stringify(model)))).toEqual(model);
    expect(() => parseRulModel({ kind: 'other' })).toThrow(/retrain/);
  });

  it('boosts trees onto a step exactly enough, thresholds falling between the steps', () => {
    const rows = Array.from({ length: 200 }, (_, i) => [i]);
    const targets = rows.map(([x]) => (x! < 100 ? 0 : 10));
    const trees = trainBoostedTrees(rows, targets, { trees: 100, learningRate: 0.3, maxDepth: 1, minLeafRows: 5, subsample: 1, bins: 32, seed: 1 });
    expect(trees.trees[0]!.threshold[0]).toBe(99.5);
    expect(predictTrees(trees, [99])).toBeCloseTo(0, 4);
    expect(predictTrees(trees, [100])).toBeCloseTo(10, 4);
  });
});

describe('RUL scoring', () => {
  it('takes the root mean square error', () => {
    expect(rmse([1, 2], [1, 4])).toBeCloseTo(Math.SQRT2, 12);
    expect(rmse([5], [5])).toBe(0);
  });

  it('scores late estimates harder than early ones (NASA: e^(d/10) − 1 late, e^(−d/13) − 1 early)', () => {
    expect(nasaScore([10], [0])).toBeCloseTo(Math.E - 1, 12);
    expect(nasaScore([0], [13])).toBeCloseTo(Math.E - 1, 12);
    expect(nasaScore([7, 7], [7, 7])).toBe(0);
    expect(nasaScore([20, 0], [0, 26])).toBeCloseTo(Math.exp(2) - 1 + Math.exp(2) - 1, 12);
    expect(nasaScore([5], [0])).toBeGreaterThan(nasaScore([0], [5]));
  });

  it('refuses estimates and true values that do not pair up', () => {
    expect(() => rmse([1, 2], [1])).toThrow(/as many estimates/);
    expect(() => nasaScore([], [])).toThrow(/at least one/);
  });
});
