/** Local days and months of the business time zone, found without a date library. */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * Offsets change at most once a UTC day, on a quarter-hour instant, in today's time-zone
 * data: one offset at each end of a day, and a short search when they differ, is exact and
 * takes about one Intl lookup per day.
 */
const SLOT_MS = 15 * 60_000;

/** The zone's offset over one UTC day: `before` until `changesAt`, `after` from then on. */
interface DayOffsets {
  before: number;
  changesAt: number;
  after: number;
}

export class LocalDays {
  private readonly format: Intl.DateTimeFormat;
  private readonly days = new Map<number, DayOffsets>();

  constructor(readonly timeZone: string) {
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      throw new RangeError(`timeZone ${JSON.stringify(timeZone)} is not an IANA time zone such as Asia/Shanghai or UTC`);
    }
  }

  /** The local calendar date of instant `t`, as whole days since 1970-01-01. */
  localDay(t: number): number {
    return Math.floor((t + this.offsetAt(t)) / DAY_MS);
  }

  private offsetAt(t: number): number {
    const day = Math.floor(t / DAY_MS);
    let offsets = this.days.get(day);
    if (!offsets) this.days.set(day, (offsets = this.measureDay(day * DAY_MS)));
    return t < offsets.changesAt ? offsets.before : offsets.after;
  }

  private measureDay(from: number): DayOffsets {
    const before = this.measureOffset(from);
    const after = this.measureOffset(from + DAY_MS);
    if (before === after) return { before, changesAt: from + DAY_MS, after };
    let unchanged = 0;
    let changed = DAY_MS / SLOT_MS;
    while (changed - unchanged > 1) {
      const slot = Math.floor((unchanged + changed) / 2);
      if (this.measureOffset(from + slot * SLOT_MS) === before) unchanged = slot;
      else changed = slot;
    }
    return { before, changesAt: from + changed * SLOT_MS, after };
  }

  /** Local wall-clock time read as if it were UTC, minus the instant: the zone's offset. */
  private measureOffset(t: number): number {
    const part: Record<string, number> = {};
    for (const { type, value } of this.format.formatToParts(t)) part[type] = Number(value);
    const wall = Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!, part.second!);
    return wall - t;
  }
}

/** A month as a running number: year × 12 + month index. */
export function monthOfDay(day: number): number {
  const date = new Date(day * DAY_MS);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

export function dayLabel(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function monthLabel(month: number): string {
  const year = Math.floor(month / 12);
  return `${String(year).padStart(4, '0')}-${String((month % 12) + 1).padStart(2, '0')}-01`;
}

export type Interval = 'day' | 'month';

/**
 * The buckets of one interval that the run covers, in order, and the bucket an
 * instant falls in. Indexes outside 0..length-1 are instants before or after the run's buckets.
 */
export class BucketAxis {
  readonly labels: string[];
  private readonly first: number;
  private readonly months = new Map<number, number>();

  constructor(private readonly calendar: LocalDays, readonly interval: Interval, start: number, end: number) {
    const firstDay = calendar.localDay(start);
    const lastDay = calendar.localDay(end - 1);
    this.first = interval === 'day' ? firstDay : monthOfDay(firstDay);
    const last = interval === 'day' ? lastDay : monthOfDay(lastDay);
    this.labels = [];
    for (let unit = this.first; unit <= last; unit++) this.labels.push(interval === 'day' ? dayLabel(unit) : monthLabel(unit));
  }

  get length(): number {
    return this.labels.length;
  }

  indexOf(t: number): number {
    const day = this.calendar.localDay(t);
    return (this.interval === 'day' ? day : this.monthOf(day)) - this.first;
  }

  private monthOf(day: number): number {
    let month = this.months.get(day);
    if (month === undefined) this.months.set(day, (month = monthOfDay(day)));
    return month;
  }

  /** [first, afterLast): the buckets whose end falls in (from, to], where something open over [from, to) counts as open. */
  endsWithin(from: number, to: number): [number, number] {
    const first = Math.max(0, this.indexOf(from));
    const afterLast = to === Infinity ? this.length : Math.min(this.length, this.indexOf(to));
    return [first, afterLast];
  }
}
