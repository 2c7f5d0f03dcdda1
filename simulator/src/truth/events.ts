/** Events parsed once and gathered per order or per parts request, in lifecycle order. */

export interface Timed<E> {
  t: number;
  event: E;
}

/** Reads each event's instant, counting on the way the events that fall outside the run. */
export class RunClock {
  outside = 0;

  constructor(private readonly start: number, private readonly end: number) {}

  instantOf(event: { eventId: string; at: string }): number {
    const t = Date.parse(event.at);
    if (Number.isNaN(t)) throw new RangeError(`event ${event.eventId}: at ${JSON.stringify(event.at)} is not an ISO-8601 time`);
    if (t < this.start || t >= this.end) this.outside += 1;
    return t;
  }
}

/**
 * Groups events by `keyOf` and sorts each group by time; events at the same instant
 * follow `lifecycle` (e.g. created before completed), so the log's own order never matters.
 */
export function groupInTimeOrder<E extends { eventId: string; at: string; type: string }>(
  events: readonly E[],
  keyOf: (event: E) => string,
  lifecycle: readonly string[],
  clock: RunClock,
): Map<string, Timed<E>[]> {
  const rank = new Map(lifecycle.map((type, i) => [type, i]));
  const groups = new Map<string, Timed<E>[]>();
  for (const event of events) {
    const key = keyOf(event);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push({ t: clock.instantOf(event), event });
  }
  for (const group of groups.values()) {
    if (group.length > 1) group.sort((a, b) => a.t - b.t || rank.get(a.event.type)! - rank.get(b.event.type)!);
  }
  return groups;
}
