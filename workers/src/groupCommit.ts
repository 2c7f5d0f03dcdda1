/**
 * Group commit: callers submit items and each gets its own result, but whatever arrives while a write is
 * running is written together by the next one. An idle writer takes the first item at once, so nothing
 * waits for company; under load, one transaction carries many jobs, and its fixed costs (round trips,
 * planning, commit) are paid once for all of them.
 *
 * A batch that fails is written again item by item, so that one bad item fails alone.
 */
export class GroupCommit<T, R> {
  private readonly waiting: { item: T; weight: number; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private running = 0;

  /**
   * @param writeAll writes the items in one transaction and returns a result per item, in order
   * @param options.parallel how many batches may be written at once
   * @param options.maxWeight a batch closes once its items weigh this much (weigh, e.g., readings)
   */
  constructor(
    private readonly writeAll: (items: T[]) => Promise<R[]>,
    private readonly options: { parallel: number; maxWeight: number; weigh: (item: T) => number },
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, weight: this.options.weigh(item), resolve, reject });
      if (this.running < this.options.parallel) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running += 1;
    try {
      while (this.waiting.length > 0) {
        let weight = 0;
        let n = 0;
        while (n < this.waiting.length && (n === 0 || weight + this.waiting[n]!.weight <= this.options.maxWeight)) weight += this.waiting[n++]!.weight;
        const batch = this.waiting.splice(0, n);
        try {
          const results = await this.writeAll(batch.map((entry) => entry.item));
          batch.forEach((entry, i) => entry.resolve(results[i]!));
        } catch (error) {
          if (batch.length === 1) batch[0]!.reject(error);
          else for (const entry of batch) await this.writeAll([entry.item]).then(([result]) => entry.resolve(result!), entry.reject);
        }
      }
    } finally {
      this.running -= 1;
    }
  }
}
