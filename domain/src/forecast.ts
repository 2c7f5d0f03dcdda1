/**
 * The staffing recommendation's forecast (DESIGN.md §5): additive Holt-Winters on monthly order
 * counts, Holt's linear trend when the history is shorter than two seasons, the mean for one or two
 * points; smoothing parameters fitted on a fixed grid, so the same history always gives the same
 * forecast. Pure code: no I/O, imports in the browser.
 */

export type ForecastMethod = 'holt-winters' | 'holt' | 'mean';

/** Months in a season of a monthly series. */
export const SEASON_MONTHS = 12;
/** Holt's linear trend needs this many points: two to start the trend, one to fit on. */
export const MIN_TREND_POINTS = 3;

/** The smoothing parameters tried, in this order; the first with the least one-step squared error wins. */
const GRID = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95] as const;
const HOLT_GRID = GRID.flatMap((alpha) => GRID.map((beta) => [alpha, beta] as const));
const HOLT_WINTERS_GRID = HOLT_GRID.flatMap(([alpha, beta]) => GRID.map((gamma) => [alpha, beta, gamma] as const));

export interface Forecast {
  method: ForecastMethod;
  /** The forecast `horizon` steps after the last point, never below 0. */
  value: number;
  /** The smoothing parameters chosen (level, trend, season); none for the mean. */
  alpha: number | null;
  beta: number | null;
  gamma: number | null;
}

/**
 * Forecasts the value `horizon` steps after the end of `series`: Holt-Winters from two full seasons
 * (2 × period points) on, Holt from MIN_TREND_POINTS, else the mean. Throws on an empty series.
 */
export function forecast(series: readonly number[], horizon = 1, period = SEASON_MONTHS): Forecast {
  if (series.length === 0) throw new RangeError('forecast: the series is empty, there is nothing to forecast from');
  if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`forecast: horizon must be a whole number ≥ 1, got ${horizon}`);
  return fitAndForecast(series, horizon, period, null);
}

/**
 * `forecast`, trying first the parameters of `near` (the fit of a similar series: the same one a point
 * shorter, in the backtest), which gives the same answer sooner when they fit this series well too.
 */
function fitAndForecast(series: readonly number[], horizon: number, period: number, near: Forecast | null): Forecast {
  const method = forecastMethod(series.length, period);
  if (method === 'holt-winters') {
    const season = new Float64Array(period);
    const first = near?.method === 'holt-winters' ? HOLT_WINTERS_GRID.findIndex(([a, b, g]) => a === near.alpha && b === near.beta && g === near.gamma) : 0;
    const [alpha, beta, gamma] = bestOf(HOLT_WINTERS_GRID, ([a, b, g], stopAbove) => holtWinters(series, a, b, g, season, stopAbove).sse, first);
    const fit = holtWinters(series, alpha, beta, gamma, season);
    const value = fit.level + horizon * fit.trend + season[(series.length - 1 + horizon) % period]!;
    return { method: 'holt-winters', value: Math.max(0, value), alpha, beta, gamma };
  }
  if (method === 'holt') {
    const first = near?.method === 'holt' ? HOLT_GRID.findIndex(([a, b]) => a === near.alpha && b === near.beta) : 0;
    const [alpha, beta] = bestOf(HOLT_GRID, ([a, b], stopAbove) => holt(series, a, b, stopAbove).sse, first);
    const fit = holt(series, alpha, beta);
    return { method: 'holt', value: Math.max(0, fit.level + horizon * fit.trend), alpha, beta, gamma: null };
  }
  return { method: 'mean', value: Math.max(0, mean(series)), alpha: null, beta: null, gamma: null };
}

/** The method `forecast` uses for a series of this many points. */
export function forecastMethod(points: number, period = SEASON_MONTHS): ForecastMethod {
  return points >= 2 * period ? 'holt-winters' : points >= MIN_TREND_POINTS ? 'holt' : 'mean';
}

interface Fit {
  sse: number;
  level: number;
  trend: number;
}

/**
 * The first candidate (in `candidates` order) with the least error, so the choice is deterministic.
 * Candidate `first` is tried first, then the others in order; `error` is given the least error so far
 * and may stop summing once past it (the errors are sums of squares, so such a candidate cannot win):
 * the same choice as summing every one, in a fraction of the time.
 */
function bestOf<T>(candidates: readonly T[], error: (candidate: T, stopAbove: number) => number, first = 0): T {
  let best = Math.max(0, first);
  let least = error(candidates[best]!, Infinity);
  for (let i = 0; i < candidates.length; i++) {
    if (i === best) continue;
    const e = error(candidates[i]!, least);
    // An earlier candidate wins a tie, a later one must do better.
    if (e < least || (e === least && i < best)) [best, least] = [i, e];
  }
  return candidates[best]!;
}

/**
 * Additive Holt-Winters, its seasonal indices left in `season` (one per phase, period = its length);
 * stops (the fit then unusable) once the squared error is past `stopAbove`.
 * Start: level and trend from the means of the first two seasons, the first season's indices from its
 * points less that line (so a pure trend leaves no trace in them); the one-step errors from the
 * second season on are what the grid minimises.
 */
function holtWinters(y: readonly number[], alpha: number, beta: number, gamma: number, season: Float64Array, stopAbove = Infinity): Fit {
  const m = season.length;
  let first = 0;
  let second = 0;
  for (let i = 0; i < m; i++) {
    first += y[i]! / m;
    second += y[m + i]! / m;
  }
  let trend = (second - first) / m;
  for (let i = 0; i < m; i++) season[i] = y[i]! - (first + trend * (i - (m - 1) / 2));
  let level = first + (trend * (m - 1)) / 2;
  let sse = 0;
  for (let t = m; t < y.length; t++) {
    const phase = t % m;
    const error = y[t]! - (level + trend + season[phase]!);
    sse += error * error;
    if (sse > stopAbove) break; // cannot beat the best so far: the fit is not used
    const previous = level;
    level = alpha * (y[t]! - season[phase]!) + (1 - alpha) * (level + trend);
    trend = beta * (level - previous) + (1 - beta) * trend;
    season[phase] = gamma * (y[t]! - level) + (1 - gamma) * season[phase]!;
  }
  return { sse, level, trend };
}

/**
 * Holt's linear trend, started from the first two points; the one-step errors from the third point on are
 * minimised. Stops (the fit then unusable) once the squared error is past `stopAbove`.
 */
function holt(y: readonly number[], alpha: number, beta: number, stopAbove = Infinity): Fit {
  let level = y[1]!;
  let trend = y[1]! - y[0]!;
  let sse = 0;
  for (let t = 2; t < y.length; t++) {
    const error = y[t]! - (level + trend);
    sse += error * error;
    if (sse > stopAbove) break; // cannot beat the best so far: the fit is not used
    const previous = level;
    level = alpha * y[t]! + (1 - alpha) * (level + trend);
    trend = beta * (level - previous) + (1 - beta) * trend;
  }
  return { sse, level, trend };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, y) => sum + y, 0) / values.length;
}

/** Pooled one-step-ahead errors of the forecast and of the naive baseline; WAPE null when the actuals sum to 0. */
export interface Backtest {
  /** Origins per series: the last `months` points were each forecast from the points before them. */
  months: number;
  /** The method of the last origin of the longest series (the one closest to the forecast shown). */
  method: ForecastMethod;
  mae: number;
  wape: number | null;
  naiveMae: number;
  naiveWape: number | null;
}

/**
 * Rolling-origin backtest over the last `points` points of each series: each point is forecast one
 * step ahead by `forecast` refitted on the points before it, and by the naive baseline (the same
 * month a season earlier when there is one, else the previous point). Every origin keeps at least
 * MIN_TREND_POINTS points, so `points` shrinks on a short series; null when no series has an origin left.
 * MAE is the mean absolute error per point; WAPE is Σ|error| ÷ Σ actual over all series.
 */
export function backtest(series: ReadonlyArray<readonly number[]>, points: number, period = SEASON_MONTHS): Backtest | null {
  let n = 0;
  let actual = 0;
  let error = 0;
  let naiveError = 0;
  let months = 0;
  let longest = 0;
  for (const y of series) {
    const k = Math.max(0, Math.min(points, y.length - MIN_TREND_POINTS));
    months = Math.max(months, k);
    if (k > 0) longest = Math.max(longest, y.length);
    let previous: Forecast | null = null;
    for (let i = y.length - k; i < y.length; i++) {
      const naive = i >= period ? y[i - period]! : y[i - 1]!;
      previous = fitAndForecast(y.slice(0, i), 1, period, previous);
      error += Math.abs(y[i]! - previous.value);
      naiveError += Math.abs(y[i]! - naive);
      actual += y[i]!;
      n += 1;
    }
  }
  if (n === 0) return null;
  return {
    months,
    method: forecastMethod(longest - 1, period),
    mae: error / n,
    wape: actual > 0 ? error / actual : null,
    naiveMae: naiveError / n,
    naiveWape: actual > 0 ? naiveError / actual : null,
  };
}

/** Relative slack for comparing computed figures, so 119.99999999997 orders count as 120. */
const SLACK = 1e-9;

/** ⌈forecast ÷ target⌉ technicians; a quotient within 1e-9 of a whole number counts as that number. */
export function techniciansNeeded(forecastOrders: number, targetOrdersPerTechnician: number): number {
  if (!(targetOrdersPerTechnician > 0)) throw new RangeError(`the target orders per technician must be above 0, got ${targetOrdersPerTechnician}`);
  const quotient = Math.max(0, forecastOrders) / targetOrdersPerTechnician;
  const whole = Math.round(quotient);
  return Math.abs(quotient - whole) <= SLACK * Math.max(1, whole) ? whole : Math.ceil(quotient);
}

/** Technicians to add (positive) or that could go elsewhere (negative). */
export function staffingDelta(needed: number, headcount: number): number {
  return needed - headcount;
}

/** A region whose orders per outlet are at least `ratio` × the network's is flagged for a new outlet; never when the network had none. */
export function regionFlag(avgOrdersPerOutlet: number, networkAvgOrdersPerOutlet: number, ratio: number): 'new_outlet' | null {
  return networkAvgOrdersPerOutlet > 0 && avgOrdersPerOutlet >= ratio * networkAvgOrdersPerOutlet * (1 - SLACK) ? 'new_outlet' : null;
}

/** An outlet whose orders are at most `ratio` × the network's average per outlet is flagged for consolidation; never when the network had none. */
export function outletFlag(orders: number, networkAvgOrdersPerOutlet: number, ratio: number): 'consolidate' | null {
  return networkAvgOrdersPerOutlet > 0 && orders <= ratio * networkAvgOrdersPerOutlet * (1 + SLACK) ? 'consolidate' : null;
}
