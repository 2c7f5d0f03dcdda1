import { DAY_MS } from './calendar.js';
import type { OrderFacts } from './orders.js';
import { isOpenRequestAt, type RequestFacts } from './parts.js';
import { NO_PRODUCT_LINE } from './rows.js';
import type { ScopeIndex } from './scopes.js';
import type { EndScopeRow, OpenPartsRequest, OrderWaitingForParts, TruthAtEnd } from './types.js';

/** What is still outstanding at the run's end, listed like the product's routes and counted per scope. */
export function atEndOf(orders: readonly OrderFacts[], requests: readonly RequestFacts[], index: ScopeIndex, end: number): TruthAtEnd {
  const openRequests = new Int32Array(index.scopes.length);
  const waitingOrders = new Int32Array(index.scopes.length);
  const openPartsRequests: OpenPartsRequest[] = [];
  for (const request of requests) {
    if (!isOpenRequestAt(request, end)) continue;
    const requestedAt = request.requestedAt!;
    openPartsRequests.push({
      requestId: request.requestId,
      outletId: request.outletId,
      partNo: request.partNo,
      source: request.source,
      requestedAt: new Date(requestedAt).toISOString(),
      ageDays: (end - requestedAt) / DAY_MS,
    });
    for (const scope of index.ofOutlet(request.outletId, `parts request ${request.requestId}`)) openRequests[scope]! += 1;
  }
  const ordersWaitingForParts: OrderWaitingForParts[] = [];
  for (const order of orders) {
    if (order.waitingSince === null) continue;
    ordersWaitingForParts.push({
      orderId: order.orderId,
      outletId: order.outletId,
      productLine: order.productLine,
      since: new Date(order.waitingSince).toISOString(),
      daysWaiting: (end - order.waitingSince) / DAY_MS,
    });
    for (const scope of index.ofOutletAndLine(order.outletId, order.productLine, `order ${order.orderId}`)) waitingOrders[scope]! += 1;
  }
  openPartsRequests.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.requestId.localeCompare(b.requestId));
  ordersWaitingForParts.sort((a, b) => a.since.localeCompare(b.since) || a.orderId.localeCompare(b.orderId));
  const scopes: EndScopeRow[] = index.scopes.map((scope, slot) => ({
    scope: scope.kind,
    scopeId: scope.id,
    openPartsRequests: scope.kind === 'productLine' ? NO_PRODUCT_LINE : openRequests[slot]!,
    ordersWaitingForParts: waitingOrders[slot]!,
  }));
  return { openPartsRequests, ordersWaitingForParts, scopes };
}
