import type { ServiceOrderEvent } from '@servicetower/domain';
import { DAY_MS } from './calendar.js';
import { groupInTimeOrder, type RunClock, type Timed } from './events.js';

/** A reopen this soon after the first completion means the repair did not fix it the first time. */
export const FIRST_TIME_FIX_WINDOW_MS = 30 * DAY_MS;

const LIFECYCLE = [
  'created', 'assigned', 'visit_started', 'parts_requested', 'parts_received', 'completed', 'reopened', 'closed', 'cancelled',
] as const;

/** One service order as its events tell it. */
export interface OrderFacts {
  orderId: string;
  /** Outlet and product line of its `created` event (its first event when it has none). */
  outletId: string;
  productLine: string;
  createdAt: number | null;
  /** Every completion in time order: a reopened and repaired order has several. */
  completions: number[];
  firstTimeFix: boolean;
  /** Spans [from, to) in which the order was open; `to` is Infinity while it still is. None without a `created`. */
  openSpans: Array<[number, number]>;
  /** Since when it waits for parts at the run's end: open, and its last parts_requested not followed by parts_received. */
  waitingSince: number | null;
  /** It requested parts at least once: the orders whose complaints the parts-wait link sets apart. */
  waitedForParts: boolean;
}

export function foldOrders(events: readonly ServiceOrderEvent[], clock: RunClock, end: number): OrderFacts[] {
  const facts: OrderFacts[] = [];
  for (const timeline of groupInTimeOrder(events, (e) => e.orderId, LIFECYCLE, clock).values()) facts.push(foldOrder(timeline, end));
  return facts;
}

function foldOrder(timeline: Timed<ServiceOrderEvent>[], end: number): OrderFacts {
  const created = timeline.find((x) => x.event.type === 'created');
  const { orderId, outletId, productLine } = (created ?? timeline[0]!).event;
  const completions: number[] = [];
  const reopens: number[] = [];
  const openSpans: Array<[number, number]> = [];
  let openFrom: number | null = null;
  let visits = 0;
  let waitingSince: number | null = null;
  let waitedForParts = false;
  for (const { t, event } of timeline) {
    switch (event.type) {
      case 'created':
        openFrom ??= t;
        break;
      case 'reopened':
        reopens.push(t);
        openFrom ??= t;
        break;
      case 'completed':
      case 'closed':
      case 'cancelled':
        if (event.type === 'completed') completions.push(t);
        if (openFrom !== null) openSpans.push([openFrom, t]);
        openFrom = null;
        break;
      case 'visit_started':
        visits += 1;
        break;
      case 'parts_requested':
        waitedForParts = true;
        if (t < end) waitingSince ??= t;
        break;
      case 'parts_received':
        if (t < end) waitingSince = null;
        break;
    }
  }
  if (openFrom !== null) openSpans.push([openFrom, Infinity]);
  const spans = created ? openSpans : [];
  return {
    orderId,
    outletId,
    productLine,
    createdAt: created?.t ?? null,
    completions,
    firstTimeFix: visits === 1 && completions.length > 0 && !reopenedSoonAfter(completions[0]!, reopens),
    openSpans: spans,
    waitingSince: isOpenAt(spans, end) ? waitingSince : null,
    waitedForParts,
  };
}

function reopenedSoonAfter(completedAt: number, reopens: readonly number[]): boolean {
  return reopens.some((t) => t >= completedAt && t - completedAt <= FIRST_TIME_FIX_WINDOW_MS);
}

/** Open at `t`: every event before `t` applied, none at or after it. */
export function isOpenAt(spans: ReadonlyArray<[number, number]>, t: number): boolean {
  return spans.some(([from, to]) => from < t && t <= to);
}
