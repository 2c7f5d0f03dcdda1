/**
 * Gradient-boosted regression trees (squared error), small enough to read: features are cut into at
 * most `bins` quantile bins once, each tree is grown depth-first on histograms of the residuals of a
 * seeded row sample. The same seed and data always give the same trees.
 */

/** A tree as parallel arrays; node 0 is the root. A leaf has feature −1 and adds `value`. */
export interface RegressionTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface BoostingParams {
  trees: number;
  learningRate: number;
  maxDepth: number;
  minLeafRows: number;
  /** Share of rows each tree sees, drawn without replacement. */
  subsample: number;
  bins: number;
  seed: number;
}

export interface BoostedTrees {
  base: number;
  trees: RegressionTree[];
}

/** A deterministic generator (mulberry32): every random choice of the training comes from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function predictTrees(model: BoostedTrees, x: readonly number[]): number {
  let sum = model.base;
  for (const tree of model.trees) sum += treeValue(tree, x);
  return sum;
}

export function trainBoostedTrees(rows: readonly (readonly number[])[], targets: readonly number[], params: BoostingParams): BoostedTrees {
  const steps = boostingSteps(rows, targets, params);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same training one tree at a time: it yields after each tree, so that a caller sharing its thread
 * (the worker, whose job locks are renewed by timers) can let other work run between trees.
 */
export function* boostingSteps(rows: readonly (readonly number[])[], targets: readonly number[], params: BoostingParams): Generator<void, BoostedTrees> {
  const n = rows.length;
  if (n === 0) throw new Error('Cannot train on no rows: give at least one engine with flights.');
  const width = rows[0]!.length;
  const { edges, binned } = binFeatures(rows, width, params.bins);
  const random = seededRandom(params.seed);
  const base = targets.reduce((sum, y) => sum + y, 0) / n;
  const predictions = new Float64Array(n).fill(base);
  const residuals = new Float64Array(n);
  const sampleSize = Math.max(1, Math.round(n * params.subsample));
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const trees: RegressionTree[] = [];
  for (let t = 0; t < params.trees; t++) {
    for (let i = 0; i < n; i++) residuals[i] = targets[i]! - predictions[i]!;
    // A partial Fisher-Yates shuffle picks the sample.
    for (let i = 0; i < sampleSize; i++) {
      const j = i + Math.floor(random() * (n - i));
      const swap = order[i]!;
      order[i] = order[j]!;
      order[j] = swap;
    }
    const sample = Int32Array.from(order.subarray(0, sampleSize)).sort();
    const tree = growTree(binned, edges, residuals, sample, width, params);
    trees.push(tree);
    for (let i = 0; i < n; i++) predictions[i]! += treeValue(tree, rows[i]!);
    yield;
  }
  return { base, trees };
}

/** Per feature the cut points (ascending), and every value replaced by its bin: bin b holds edges[b−1] < x ≤ edges[b]. */
function binFeatures(rows: readonly (readonly number[])[], width: number, bins: number): { edges: number[][]; binned: Uint8Array } {
  const n = rows.length;
  const binned = new Uint8Array(n * width);
  const edges: number[][] = [];
  const column = new Float64Array(n);
  for (let f = 0; f < width; f++) {
    for (let i = 0; i < n; i++) column[i] = rows[i]![f]!;
    const sorted = Float64Array.from(column).sort();
    const cuts: number[] = [];
    for (let b = 1; b < bins; b++) {
      const cut = cutBelow(sorted, Math.floor((b * n) / bins));
      if (cut !== null && (cuts.length === 0 || cut > cuts.at(-1)!)) cuts.push(cut);
    }
    edges.push(cuts);
    for (let i = 0; i < n; i++) binned[i * width + f] = binOf(cuts, column[i]!);
  }
  return { edges, binned };
}

/**
 * A cut near the k-th smallest value, halfway between two distinct neighbouring values so that a tie
 * is never split: below the k-th value when the one before differs, else just above its run.
 */
function cutBelow(sorted: Float64Array, k: number): number | null {
  if (k <= 0 || k >= sorted.length) return null;
  if (sorted[k - 1]! < sorted[k]!) return (sorted[k - 1]! + sorted[k]!) / 2;
  let next = k;
  while (next < sorted.length && sorted[next] === sorted[k]) next++;
  return next < sorted.length ? (sorted[k]! + sorted[next]!) / 2 : null;
}

/** The first bin whose edge is at least x (binary search); edges.length when x is above them all. */
function binOf(cuts: readonly number[], x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What one tree adds for a row; x ≤ threshold is the same test as bin ≤ the split's bin, so training and scoring agree. */
function treeValue(tree: RegressionTree, x: readonly number[]): number {
  let node = 0;
  while (tree.feature[node]! >= 0) node = x[tree.feature[node]!]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
  return tree.value[node]!;
}

/** Residual sums and row counts per (feature, bin) of the rows of one node. */
interface Histogram {
  sums: Float64Array;
  counts: Int32Array;
}

function growTree(binned: Uint8Array, edges: number[][], residuals: Float64Array, sample: Int32Array, width: number, params: BoostingParams): RegressionTree {
  const tree: RegressionTree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const stride = params.bins + 1;
  const size = width * stride;
  // Two histograms per depth are live at once (a node's two children), so they are allocated once per tree.
  const pool: Histogram[][] = Array.from({ length: params.maxDepth + 1 }, () =>
    [0, 1].map(() => ({ sums: new Float64Array(size), counts: new Int32Array(size) })),
  );
  const fill = (histogram: Histogram, rows: Int32Array) => {
    const { sums, counts } = histogram;
    sums.fill(0);
    counts.fill(0);
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k]!;
      const g = residuals[r]!;
      const offset = r * width;
      for (let f = 0; f < width; f++) {
        const cell = f * stride + binned[offset + f]!;
        sums[cell]! += g;
        counts[cell]! += 1;
      }
    }
  };

  const grow = (rows: Int32Array, histogram: Histogram, depth: number): number => {
    const node = tree.feature.length;
    let total = 0;
    for (let k = 0; k < rows.length; k++) total += residuals[rows[k]!]!;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push((params.learningRate * total) / rows.length);
    if (depth >= params.maxDepth || rows.length < 2 * params.minLeafRows) return node;

    const { sums, counts } = histogram;
    let bestGain = 1e-9;
    let bestFeature = -1;
    let bestBin = -1;
    const parentScore = (total * total) / rows.length;
    for (let f = 0; f < width; f++) {
      const cuts = edges[f]!.length;
      let leftSum = 0;
      let leftCount = 0;
      for (let b = 0; b < cuts; b++) {
        leftSum += sums[f * stride + b]!;
        leftCount += counts[f * stride + b]!;
        const rightCount = rows.length - leftCount;
        if (leftCount < params.minLeafRows) continue;
        if (rightCount < params.minLeafRows) break;
        const rightSum = total - leftSum;
        const gain = (leftSum * leftSum) / leftCount + (rightSum * rightSum) / rightCount - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestBin = b;
        }
      }
    }
    if (bestFeature < 0) return node;

    const leftRows = new Int32Array(rows.length);
    const rightRows = new Int32Array(rows.length);
    let nLeft = 0;
    let nRight = 0;
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k]!;
      if (binned[r * width + bestFeature]! <= bestBin) leftRows[nLeft++] = r;
      else rightRows[nRight++] = r;
    }
    // Only the smaller child is counted; the larger one's histogram is the parent's minus it.
    const [leftHistogram, rightHistogram] = pool[depth + 1]! as [Histogram, Histogram];
    const [small, large] = nLeft <= nRight ? [leftHistogram, rightHistogram] : [rightHistogram, leftHistogram];
    fill(small, nLeft <= nRight ? leftRows.subarray(0, nLeft) : rightRows.subarray(0, nRight));
    for (let c = 0; c < size; c++) {
      large.sums[c] = sums[c]! - small.sums[c]!;
      large.counts[c] = counts[c]! - small.counts[c]!;
    }
    tree.feature[node] = bestFeature;
    tree.threshold[node] = edges[bestFeature]![bestBin]!;
    tree.value[node] = 0;
    tree.left[node] = grow(leftRows.subarray(0, nLeft), leftHistogram, depth + 1);
    tree.right[node] = grow(rightRows.subarray(0, nRight), rightHistogram, depth + 1);
    return node;
  };
  const root = pool[0]![0]!;
  fill(root, sample);
  grow(sample, root, 0);
  return tree;
}
