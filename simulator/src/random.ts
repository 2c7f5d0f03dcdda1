/**
 * A seeded random stream (sfc32, seeded through splitmix32) and the draws the simulator needs.
 * Every stream is identified by a 64-bit key: the seed, or a parent's key mixed with a name.
 */
export class Random {
  private readonly key: readonly [number, number];
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** From a whole-number seed, or from a key given as two 32-bit words. */
  constructor(seed: number | readonly [number, number]) {
    const key = typeof seed === 'number' ? seedKey(seed) : seed;
    this.key = key;
    let state = key[0] ^ Math.imul(key[1], 0x9e3779b9);
    [this.a, state] = splitmix32(state);
    [this.b, state] = splitmix32(state);
    [this.c, state] = splitmix32(state);
    this.d = splitmix32(state ^ key[1])[0];
    // sfc32's first outputs still carry the structure of the seed.
    for (let i = 0; i < 12; i += 1) this.next();
  }

  /**
   * A stream of its own for one consumer, derived from this stream's key and a name, never from
   * its state: a new consumer, or one that draws more, does not shift anyone else's numbers.
   */
  child(name: string): Random {
    const [h1, h2] = hashName(name);
    return new Random([splitmix32(this.key[0] ^ h1)[0], splitmix32(this.key[1] ^ h2)[0]]);
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A whole number from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Log-normal with the given mean and coefficient of variation (sd ÷ mean) of the value itself. */
  lognormal(mean: number, cv: number): number {
    const sigma2 = Math.log(1 + cv * cv);
    return Math.exp(this.normal(Math.log(mean) - sigma2 / 2, Math.sqrt(sigma2)));
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  poisson(mean: number): number {
    if (mean <= 0) return 0;
    // Knuth's product method is exact but linear in the mean; above 30 the normal approximation is close.
    if (mean > 30) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    const limit = Math.exp(-mean);
    let k = 0;
    for (let p = this.next(); p > limit; p *= this.next()) k += 1;
    return k;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** One item, each chosen in proportion to its weight. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    let total = 0;
    for (const w of weights) total += w;
    let u = this.next() * total;
    for (let i = 0; i < items.length; i += 1) {
      u -= weights[i] ?? 0;
      if (u < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /** Shuffles in place (Fisher–Yates) and returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

function seedKey(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be a whole number, got ${seed}`);
  return [seed >>> 0, Math.floor(seed / 4294967296) >>> 0];
}

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [(z ^ (z >>> 16)) >>> 0, next];
}

/** Two independent 32-bit hashes of a name (cyrb53's mixing), so child keys rarely collide. */
function hashName(name: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < name.length; i += 1) {
    const ch = name.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}
