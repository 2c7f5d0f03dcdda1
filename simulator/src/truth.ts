/**
 * Ground truth: every figure of DESIGN.md §5, computed straight from the events a run
 * emitted by this code alone, so that the product's SQL can be checked against it.
 *
 * Shape. Flat rows, one per scope (network, region, outlet, productLine), interval (day,
 * month) and bucket, empty buckets included, because they compare one for one with the
 * query API's rows (`bucket`, `group`, figures); `atEnd` lists what is outstanding at `end`.
 * A figure that cannot be computed is `{ value: null, reason }`, never NaN or a bare null.
 *
 * Definitions where §5 leaves a choice:
 * - Buckets are the local days and months of `timeZone` that overlap [start, end), labelled by
 *   the ISO date they start on. An event counts in the bucket of its local date, so a bucket cut
 *   by `start` or `end` also holds its events outside the run; backlog is taken at its own end.
 * - Events at the same instant apply in lifecycle order (created … completed, reopened,
 *   closed, cancelled), so the log's own order never matters.
 * - An order belongs to the outlet and product line of its `created` event.
 * - ordersCompleted counts an order once per bucket: a reopened order completed in March and
 *   again in April counts in both months, twice in the same bucket once.
 * - backlog: orders open at the bucket's end. `created` and `reopened` open an order;
 *   `completed`, `closed` and `cancelled` close it; a reopened order is open until it closes again.
 * - turnaroundHours: first completion − created, counted once per order in the bucket of its
 *   first completion; a repeat completion adds to ordersCompleted but not to turnaround.
 * - firstTimeFixRate: of the orders completed in the bucket, those with exactly one
 *   `visit_started` in their whole history and no `reopened` within 30 days after their
 *   first completion. Judged on the log as emitted: a reopen after `end` is not seen.
 * - avgOrdersPerOutlet and ordersPerTechnician divide by the outlets and technicians in the
 *   scope's reference data; a product line spans every outlet of the network.
 * - Percentiles interpolate linearly between closest ranks, as PostgreSQL's percentile_cont.
 * - Supply cycle: first `received` − first `requested`, in days, in the bucket of the receipt;
 *   within target means at most the part's own targetDays, else its source's target.
 *   A product line has no supply cycle and no open parts requests: parts requests carry none.
 * - At `end` (events at or after it not yet happened): a parts request is open when requested
 *   and neither received nor cancelled; an order waits for parts when it is open and its last
 *   `parts_requested` has no `parts_received` after it, since the first request after its last receipt.
 * - Complaints are counted once per complaintId, in the bucket of their own `at`.
 * - Parts-wait link: the orders received in the bucket split by whether they ever requested parts
 *   (any `parts_requested` in the log), each side with the complaints that name its orders
 *   (`orderId`), whenever those were made: the complaint rate of orders that waited against those that did not.
 */
import type { Complaint } from '@servicetower/domain';
import { BucketAxis, LocalDays } from './truth/calendar.js';
import { RunClock } from './truth/events.js';
import { atEndOf } from './truth/end.js';
import { FigureGrid } from './truth/grid.js';
import { foldOrders } from './truth/orders.js';
import { foldRequests } from './truth/parts.js';
import { rowsOf } from './truth/rows.js';
import { ScopeIndex } from './truth/scopes.js';
import type { Truth, TruthCounts, TruthOptions } from './truth/types.js';
import type { EventLog, Network } from './types.js';

export type * from './truth/types.js';
export type { Figure, Spread, Unavailable } from './truth/stats.js';
export { percentileCont } from './truth/stats.js';

/** DESIGN.md §5: hq_stock parts within 7 days, procured parts within 4. */
export const DEFAULT_TARGETS = { hq_stock: 7, hq_procured: 4 } as const;

export function computeTruth(network: Network, events: EventLog, options: TruthOptions): Truth {
  if (!(options.start < options.end)) throw new RangeError(`the run must start before it ends: start ${options.start}, end ${options.end}`);
  const settings = { ...options, targets: options.targets ?? DEFAULT_TARGETS, partsWaitCause: options.partsWaitCause ?? 'parts_wait' };
  const calendar = new LocalDays(settings.timeZone);
  const index = new ScopeIndex(network);
  const grids = [
    new FigureGrid(new BucketAxis(calendar, 'day', settings.start, settings.end), index.scopes.length),
    new FigureGrid(new BucketAxis(calendar, 'month', settings.start, settings.end), index.scopes.length),
  ];

  const clock = new RunClock(settings.start, settings.end);
  const complaints = distinctComplaints(events.complaints);
  const complaintsByOrder = new Map<string, number>();
  for (const { orderId } of complaints) if (orderId !== undefined) complaintsByOrder.set(orderId, (complaintsByOrder.get(orderId) ?? 0) + 1);
  const orders = foldOrders(events['service-orders'], clock, settings.end);
  for (const order of orders) {
    const scopes = index.ofOutletAndLine(order.outletId, order.productLine, `order ${order.orderId}`);
    for (const grid of grids) grid.addOrder(order, scopes, complaintsByOrder.get(order.orderId) ?? 0);
  }

  const partTargets = new Map(network.parts.map((part) => [part.partNo, part.targetDays]));
  const requests = foldRequests(events.parts, clock);
  for (const request of requests) {
    const scopes = index.ofOutlet(request.outletId, `parts request ${request.requestId}`);
    const targetDays = partTargets.get(request.partNo) ?? settings.targets[request.source];
    for (const grid of grids) grid.addRequest(request, targetDays, scopes);
  }

  for (const complaint of complaints) {
    const scopes = index.ofOutletAndLine(complaint.outletId, complaint.productLine, `complaint ${complaint.complaintId}`);
    const at = clock.instantOf(complaint);
    for (const grid of grids) grid.addComplaint(at, complaint.cause, scopes);
  }

  const counts: TruthCounts = {
    serviceOrderEvents: events['service-orders'].length,
    partsEvents: events.parts.length,
    complaintEvents: events.complaints.length,
    orders: orders.length,
    partsRequests: requests.length,
    complaints: complaints.length,
    eventsOutsideRun: clock.outside,
  };
  return {
    generatedFrom: { ...settings, counts },
    rows: grids.flatMap((grid) => rowsOf(grid, index.scopes, settings)),
    atEnd: atEndOf(orders, requests, index, settings.end),
  };
}

/** The first event of each complaint: a complaint logged twice is still one complaint. */
function distinctComplaints(events: readonly Complaint[]): Complaint[] {
  const seen = new Set<string>();
  return events.filter((complaint) => !seen.has(complaint.complaintId) && seen.add(complaint.complaintId));
}
