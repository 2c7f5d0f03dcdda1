/** How RUL estimates are judged on C-MAPSS: d = predicted − true remaining cycles, per engine. */

export function rmse(predicted: readonly number[], actual: readonly number[]): number {
  checkPairs(predicted, actual);
  const squares = predicted.reduce((sum, p, i) => sum + (p - actual[i]!) ** 2, 0);
  return Math.sqrt(squares / predicted.length);
}

/**
 * The NASA scoring function (Saxena et al. 2008): Σ e^(−d/13) − 1 for early estimates (d < 0) and
 * e^(d/10) − 1 for late ones, so overestimating the life left costs more than underestimating it.
 */
export function nasaScore(predicted: readonly number[], actual: readonly number[]): number {
  checkPairs(predicted, actual);
  return predicted.reduce((sum, p, i) => {
    const d = p - actual[i]!;
    return sum + (d < 0 ? Math.exp(-d / 13) : Math.exp(d / 10)) - 1;
  }, 0);
}

function checkPairs(predicted: readonly number[], actual: readonly number[]): void {
  if (predicted.length !== actual.length || predicted.length === 0) {
    throw new Error(`Expected as many estimates as true values (at least one), got ${predicted.length} and ${actual.length}.`);
  }
}
