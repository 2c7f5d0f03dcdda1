/**
 * Features of an engine's remaining useful life, from its flights in cycle order. Pure code: the
 * worker scores stored readings and the evaluation scores C-MAPSS files through the same function.
 */

/** One flight of an engine: its flight number and the values its sensors reported (`s1`…`s21`, `op1`…). */
export interface RulFlight {
  cycle: number;
  values: Readonly<Record<string, number>>;
}

/** The C-MAPSS FD001 channels that vary; s1, s5, s6, s10, s16, s18 and s19 are constant there and carry nothing. */
export const RUL_SENSORS = ['s2', 's3', 's4', 's7', 's8', 's9', 's11', 's12', 's13', 's14', 's15', 's17', 's20', 's21'] as const;

/** How flights become features; stored with the model so that scoring uses what training used. */
export interface FeatureSpec {
  sensors: string[];
  /** Per sensor, the training set's mean and standard deviation: every value is used as a z-score. */
  means: number[];
  stds: number[];
  /** The long window (cycles) for the mean and the least-squares slope, and the short one for the recent mean. */
  window: number;
  shortWindow: number;
  /** Smoothing factor of the exponentially weighted mean over the whole history. */
  alpha: number;
  /** Cycles at the start of an engine's life that make its own baseline. */
  baselineCycles: number;
}

export const DEFAULT_FEATURE_WINDOWS = { window: 30, shortWindow: 10, alpha: 0.1, baselineCycles: 15 } as const;

const PER_SENSOR = ['mean', 'recent', 'slope', 'ewma', 'drift'] as const;

/** The names of the feature vector, in order: the cycle count, then five figures per sensor. */
export function featureNames(spec: FeatureSpec): string[] {
  return ['cycles', ...spec.sensors.flatMap((sensor) => PER_SENSOR.map((kind) => `${sensor}.${kind}`))];
}

/** Means and standard deviations of each sensor over every flight given (the training set). */
export function sensorStatistics(engines: readonly (readonly RulFlight[])[], sensors: readonly string[]): { means: number[]; stds: number[] } {
  const means: number[] = [];
  const stds: number[] = [];
  for (const sensor of sensors) {
    let n = 0;
    let sum = 0;
    let squares = 0;
    for (const flights of engines) {
      for (const flight of flights) {
        const value = flight.values[sensor];
        if (value === undefined || !Number.isFinite(value)) continue;
        n += 1;
        sum += value;
        squares += value * value;
      }
    }
    const mean = n > 0 ? sum / n : 0;
    const variance = n > 1 ? (squares - n * mean * mean) / (n - 1) : 0;
    means.push(mean);
    stds.push(variance > 0 ? Math.sqrt(variance) : 1);
  }
  return { means, stds };
}

/**
 * The engine's z-scored series, one row per flight and one column per sensor. A sensor missing from a
 * flight repeats its last value (the training mean, 0, before it has reported).
 */
export function standardise(flights: readonly RulFlight[], spec: FeatureSpec): Float64Array[] {
  const columns = spec.sensors.map(() => new Float64Array(flights.length));
  spec.sensors.forEach((sensor, j) => {
    const column = columns[j]!;
    const mean = spec.means[j]!;
    const std = spec.stds[j]!;
    let last = 0;
    flights.forEach((flight, i) => {
      const value = flight.values[sensor];
      if (value !== undefined && Number.isFinite(value)) last = (value - mean) / std;
      column[i] = last;
    });
  });
  return columns;
}

/**
 * The feature vector after flight `at` (an index into the engine's flights, default the last one),
 * seeing only that flight and the ones before it.
 */
export function featuresAt(columns: readonly Float64Array[], cycles: number, at: number, spec: FeatureSpec): number[] {
  const features = [cycles];
  const from = Math.max(0, at + 1 - spec.window);
  const recentFrom = Math.max(0, at + 1 - spec.shortWindow);
  const baselineTo = Math.min(at + 1, spec.baselineCycles);
  for (const column of columns) {
    features.push(
      mean(column, from, at + 1),
      mean(column, recentFrom, at + 1),
      slope(column, from, at + 1),
      ewma(column, at + 1, spec.alpha),
      mean(column, recentFrom, at + 1) - mean(column, 0, baselineTo),
    );
  }
  return features;
}

/** The feature vector of an engine from all its flights (in cycle order); null when it has flown none. */
export function engineFeatures(flights: readonly RulFlight[], spec: FeatureSpec): number[] | null {
  if (flights.length === 0) return null;
  return featuresAt(standardise(flights, spec), flights.at(-1)!.cycle, flights.length - 1, spec);
}

function mean(column: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += column[i]!;
  return to > from ? sum / (to - from) : 0;
}

/** Least-squares slope per cycle of the values in [from, to); 0 with fewer than two points. */
function slope(column: Float64Array, from: number, to: number): number {
  const n = to - from;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = mean(column, from, to);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = i - meanX;
    sxy += dx * (column[from + i]! - meanY);
    sxx += dx * dx;
  }
  return sxy / sxx;
}

function ewma(column: Float64Array, to: number, alpha: number): number {
  let value = column[0] ?? 0;
  for (let i = 1; i < to; i++) value += alpha * (column[i]! - value);
  return value;
}
