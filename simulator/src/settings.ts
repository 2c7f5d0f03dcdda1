import type { SimulationSettings } from './types.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface DefaultSettingsOptions extends Partial<SimulationSettings> {
  /** Whole months simulated before `now`, counted from the first day of a month. Default 12. */
  months?: number;
}

/**
 * The network of the source case over the months before `now`: regions growing at clearly
 * different rates, an improvement programme halfway through that halves the headquarters-stock
 * supply cycle, and a little delivery trouble. Times come from `now`, never from the clock.
 */
export function defaultSettings(now: number, overrides: DefaultSettingsOptions = {}): SimulationSettings {
  const { months = 12, ...given } = overrides;
  const timeZone = given.timeZone ?? 'Asia/Shanghai';
  const calendar = new BusinessCalendar(timeZone);
  const today = calendar.localDate(now);
  const start = given.start ?? calendar.midnight(today.year, today.month - months, 1);
  const end = given.end ?? now;
  const middle = calendar.localDate(start + (end - start) / 2);
  return {
    seed: 1,
    start,
    end,
    timeZone,
    outlets: 80,
    parts: 400,
    devicesPerModel: 20,
    ordersPerOutletPerDay: 4,
    regionGrowth: { east: 0.6, south: 0.45, southwest: 0.3, central: 0.1, north: 0, northeast: -0.1 },
    defaultGrowth: 0.05,
    partsShare: 0.35,
    reopenShare: 0.04,
    cancelShare: 0.03,
    hqStockShare: 0.6,
    supplyDays: { hq_stock: { before: 14, after: 7 }, hq_procured: { before: 9, after: 4 } },
    // The programme starts on the first of a month, so monthly figures show a clean before and after.
    programmeDate: calendar.midnight(middle.year, middle.month, 1),
    complaint: { base: 0.02, perWaitDay: 0.012, perTurnaroundDay: 0.004 },
    delivery: { duplicateShare: 0.02, lateShare: 0.03, lateMaxHours: 72, outOfOrderShare: 0.1 },
    ...given,
  };
}

export interface LocalDate {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  /** 0 Sunday … 6 Saturday. */
  weekday: number;
}

/**
 * Local dates, midnights and ISO stamps in the business time zone. Offsets are looked up once
 * per UTC day (Intl is slow) and per quarter hour only on a day the offset changes.
 */
export class BusinessCalendar {
  private readonly format: Intl.DateTimeFormat;
  private readonly dayOffsets = new Map<number, number>();
  private readonly slotOffsets = new Map<number, number>();
  private readonly datePrefixes = new Map<number, string>();
  private readonly offsetSuffixes = new Map<number, string>();
  private readonly clockTimes: string[] = [];

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  }

  /** Minutes the local time is ahead of UTC at `at`. */
  offsetMinutes(at: number): number {
    const day = Math.floor(at / DAY);
    let offset = this.dayOffsets.get(day);
    if (offset === undefined) {
      const first = this.lookUp(day * DAY);
      offset = first === this.lookUp((day + 1) * DAY - MINUTE) ? first : Number.NaN;
      this.dayOffsets.set(day, offset);
    }
    if (!Number.isNaN(offset)) return offset;
    // Offsets change on a quarter hour, in every zone in use today.
    const slot = Math.floor(at / (15 * MINUTE));
    let exact = this.slotOffsets.get(slot);
    if (exact === undefined) this.slotOffsets.set(slot, (exact = this.lookUp(slot * 15 * MINUTE)));
    return exact;
  }

  localDate(at: number): LocalDate {
    const local = new Date(at + this.offsetMinutes(at) * MINUTE);
    return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(), weekday: local.getUTCDay() };
  }

  /** The instant of local midnight; month and day may run over (month 0 is December of the year before). */
  midnight(year: number, month: number, day: number): number {
    const wall = Date.UTC(year, month - 1, day);
    const guess = wall - this.offsetMinutes(wall) * MINUTE;
    return wall - this.offsetMinutes(guess) * MINUTE;
  }

  /**
   * ISO-8601 to the second with the local offset, e.g. 2025-03-01T08:30:00+08:00. It runs a million
   * times a year of history: built from cached pieces, each stamp costs one short string of its own.
   */
  stamp(at: number): string {
    const offset = this.offsetMinutes(at);
    const local = at + offset * MINUTE;
    const day = Math.floor(local / DAY);
    let date = this.datePrefixes.get(day);
    if (date === undefined) this.datePrefixes.set(day, (date = new Date(day * DAY).toISOString().slice(0, 11)));
    let suffix = this.offsetSuffixes.get(offset);
    if (suffix === undefined) {
      const abs = Math.abs(offset);
      this.offsetSuffixes.set(offset, (suffix = `${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`));
    }
    const second = Math.floor((local - day * DAY) / 1000);
    let time = this.clockTimes[second];
    if (time === undefined) this.clockTimes[second] = time = `${pad2(Math.floor(second / 3600))}:${pad2(Math.floor(second / 60) % 60)}:${pad2(second % 60)}`;
    return date + time + suffix;
  }

  private lookUp(at: number): number {
    const parts: Record<string, number> = {};
    for (const part of this.format.formatToParts(at)) parts[part.type] = Number(part.value);
    const wall = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day, parts.hour, parts.minute, parts.second);
    return Math.round((wall - Math.floor(at / 1000) * 1000) / MINUTE);
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
