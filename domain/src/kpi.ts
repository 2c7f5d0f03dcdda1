import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** The rows of the query API (DESIGN.md §5): one schema each, for the server, its OpenAPI and the dashboard. */

export const Unavailable = Type.Object({ value: Type.Null(), reason: Type.String() }, { description: 'the figure cannot be computed for this scope and bucket' });
export const Figure = <T extends TSchema>(schema: T) => Type.Union([schema, Unavailable]);
const RowHead = {
  bucket: Type.String({ description: 'ISO date of the local bucket start' }),
  group: Type.Union([Type.String(), Type.Null()], { description: 'the groupBy value, null without groupBy' }),
};

export const ServiceLoadRow = Type.Object({
  ...RowHead,
  ordersReceived: Type.Integer(),
  ordersCompleted: Type.Integer(),
  backlog: Type.Integer({ description: 'orders open at the bucket end' }),
  avgOrdersPerOutlet: Figure(Type.Number()),
  ordersPerTechnician: Figure(Type.Number()),
  turnaroundHours: Figure(Type.Object({ mean: Type.Number(), p50: Type.Number(), p90: Type.Number() })),
  firstTimeFixRate: Figure(Type.Number()),
});

export const ComplaintRow = Type.Object({
  ...RowHead,
  complaints: Type.Integer(),
  ordersReceived: Type.Integer(),
  ratePer100: Figure(Type.Number()),
  partsWaitComplaints: Type.Integer(),
  partsWaitRatePer100: Figure(Type.Number()),
});

export const SupplyCycleRow = Type.Object({
  ...RowHead,
  requests: Type.Integer({ description: 'requests received in the bucket' }),
  meanDays: Figure(Type.Number()),
  p50Days: Figure(Type.Number()),
  p90Days: Figure(Type.Number()),
  targetDays: Figure(Type.Number({ description: 'the source’s target when the row’s requests share one source; a part’s own target with groupBy=part' })),
  withinTargetShare: Figure(Type.Number({ description: 'share received within their own target: the part target, else the source target' })),
});

export const PartsWaitComplaintRow = Type.Object({
  ...RowHead,
  ordersWaited: Type.Integer({ description: 'orders received in the bucket that ever requested parts' }),
  ordersNotWaited: Type.Integer({ description: 'orders received in the bucket that never did' }),
  complaintsWaited: Type.Integer({ description: 'complaints naming an order that waited, whenever made' }),
  complaintsNotWaited: Type.Integer({ description: 'complaints naming an order that did not wait' }),
  complaintRateWaitedPer100: Figure(Type.Number()),
  complaintRateNotWaitedPer100: Figure(Type.Number()),
  partsWaitRatePer100: Figure(Type.Number({ description: 'complaints with cause parts_wait in the bucket per 100 orders received in it' })),
  supplyCycleMeanDays: Type.Object(
    { hq_stock: Figure(Type.Number()), hq_procured: Figure(Type.Number()) },
    { description: 'mean supply cycle of the requests received in the bucket, per source' },
  ),
});

export const OpenPartsRequestRow = Type.Object({
  requestId: Type.String(),
  outletId: Type.String(),
  partNo: Type.String(),
  source: Type.String(),
  requestedAt: Type.String({ description: 'ISO time of the first requested event' }),
  ageDays: Type.Number({ description: 'days from requestedAt to at' }),
});

export const OrderWaitingForPartsRow = Type.Object({
  orderId: Type.String(),
  outletId: Type.String(),
  since: Type.String({ description: 'ISO time of the first parts_requested after the last parts_received' }),
  daysWaiting: Type.Number({ description: 'days from since to at' }),
});

export const OverviewTiles = Type.Object({
  from: Type.String({ description: 'first local date of the period' }),
  to: Type.String({ description: 'local date after the period (exclusive)' }),
  ordersReceived: Type.Integer(),
  backlog: Type.Integer({ description: 'orders open at the period end' }),
  complaintRatePer100: Figure(Type.Number()),
  partsWaitRatePer100: Figure(Type.Number()),
  supplyCycleMeanDays: Type.Object({ hq_stock: Figure(Type.Number()), hq_procured: Figure(Type.Number()) }),
  openPartsRequests: Type.Integer({ description: 'open at the period end, or now when that is earlier' }),
  ordersWaitingForParts: Type.Integer({ description: 'waiting at the period end, or now when that is earlier' }),
});


/** A figure, or why it cannot be computed for the scope and bucket. */
export type Unavailable = Static<typeof Unavailable>;
export type Figure<T> = T | Unavailable;
export type ServiceLoadRow = Static<typeof ServiceLoadRow>;
export type ComplaintRow = Static<typeof ComplaintRow>;
export type SupplyCycleRow = Static<typeof SupplyCycleRow>;
export type PartsWaitComplaintRow = Static<typeof PartsWaitComplaintRow>;
export type OpenPartsRequestRow = Static<typeof OpenPartsRequestRow>;
export type OrderWaitingForPartsRow = Static<typeof OrderWaitingForPartsRow>;
export type OverviewTiles = Static<typeof OverviewTiles>;
