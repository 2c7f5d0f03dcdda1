import type { PartsRequestEvent } from '@servicetower/domain';
import { groupInTimeOrder, type RunClock } from './events.js';

const LIFECYCLE = ['requested', 'shipped', 'received', 'cancelled'] as const;

/** One parts request as its events tell it; outlet, part and source come from its first event. */
export interface RequestFacts {
  requestId: string;
  outletId: string;
  partNo: string;
  source: PartsRequestEvent['source'];
  requestedAt: number | null;
  receivedAt: number | null;
  cancelledAt: number | null;
}

export function foldRequests(events: readonly PartsRequestEvent[], clock: RunClock): RequestFacts[] {
  const facts: RequestFacts[] = [];
  for (const timeline of groupInTimeOrder(events, (e) => e.requestId, LIFECYCLE, clock).values()) {
    const { requestId, outletId, partNo, source } = timeline[0]!.event;
    const firstOf = (type: PartsRequestEvent['type']) => timeline.find((x) => x.event.type === type)?.t ?? null;
    facts.push({
      requestId, outletId, partNo, source,
      requestedAt: firstOf('requested'),
      receivedAt: firstOf('received'),
      cancelledAt: firstOf('cancelled'),
    });
  }
  return facts;
}

/** Open at `t`: requested before it, and neither received nor cancelled before it. */
export function isOpenRequestAt(request: RequestFacts, t: number): boolean {
  const before = (at: number | null) => at !== null && at < t;
  return before(request.requestedAt) && !before(request.receivedAt) && !before(request.cancelledAt);
}
