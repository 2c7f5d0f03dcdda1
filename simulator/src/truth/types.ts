import type { Complaint, PartsRequestEvent } from '@servicetower/domain';
import type { Interval } from './calendar.js';
import type { ScopeKind } from './scopes.js';
import type { Figure, Spread } from './stats.js';

export type ComplaintCause = Complaint['cause'];
export type PartsSource = PartsRequestEvent['source'];

export interface TruthOptions {
  /** IANA zone of the business; buckets are its local days and months. */
  timeZone: string;
  /** The run, epoch ms: buckets cover [start, end); the end figures are the state at `end`. */
  start: number;
  end: number;
  /** Supply-cycle target in days per source; default hq_stock 7, hq_procured 4. A part's own targetDays overrides it. */
  targets?: Record<PartsSource, number>;
  /** The cause that counts as waiting for parts; default parts_wait. */
  partsWaitCause?: ComplaintCause;
}

export interface SupplyCycle {
  requests: number;
  meanDays: number;
  p50Days: number;
  p90Days: number;
  /** The source's target; `withinTargetShare` holds each request to its part's own target when it has one. */
  targetDays: number;
  withinTargetShare: number;
}

/** Every bucketed figure of DESIGN.md §5 for one scope, one interval and one bucket. */
export interface TruthRow {
  scope: ScopeKind;
  /** Region, outlet or product-line id; null for the network. */
  scopeId: string | null;
  interval: Interval;
  /** ISO date of the bucket's local start: 2026-03-05 for a day, 2026-03-01 for March. */
  bucket: string;
  ordersReceived: number;
  ordersCompleted: number;
  backlog: number;
  avgOrdersPerOutlet: Figure<number>;
  ordersPerTechnician: Figure<number>;
  turnaroundHours: Figure<Spread>;
  firstTimeFixRate: Figure<number>;
  /** Unavailable as a whole for a product line: parts requests carry none. */
  supplyCycle: Figure<Record<PartsSource, Figure<SupplyCycle>>>;
  complaints: number;
  /** Only the causes that had complaints; a cause not listed had none. */
  complaintsByCause: Partial<Record<ComplaintCause, number>>;
  complaintRatePer100: Figure<number>;
  partsWaitRatePer100: Figure<number>;
  partsWaitLink: PartsWaitLink;
}

/** Of the orders received in a bucket: complaints about those that waited for parts against the others. */
export interface PartsWaitLink {
  ordersWaited: number;
  ordersNotWaited: number;
  complaintsWaited: number;
  complaintsNotWaited: number;
  complaintRateWaitedPer100: Figure<number>;
  complaintRateNotWaitedPer100: Figure<number>;
}

export interface OpenPartsRequest {
  requestId: string;
  outletId: string;
  partNo: string;
  source: PartsSource;
  requestedAt: string;
  ageDays: number;
}

export interface OrderWaitingForParts {
  orderId: string;
  outletId: string;
  productLine: string;
  since: string;
  daysWaiting: number;
}

/** How many of each list fall in a scope. */
export interface EndScopeRow {
  scope: ScopeKind;
  scopeId: string | null;
  openPartsRequests: Figure<number>;
  ordersWaitingForParts: number;
}

export interface TruthAtEnd {
  openPartsRequests: OpenPartsRequest[];
  ordersWaitingForParts: OrderWaitingForParts[];
  scopes: EndScopeRow[];
}

export interface TruthCounts {
  serviceOrderEvents: number;
  partsEvents: number;
  complaintEvents: number;
  orders: number;
  partsRequests: number;
  complaints: number;
  /**
   * Events outside [start, end). Each still counts in its bucket when that is one of the run's
   * (the first and last may be partial); one before `start` shapes backlog; one at or after `end` is not in `atEnd`.
   */
  eventsOutsideRun: number;
}

export interface Truth {
  generatedFrom: Required<TruthOptions> & { counts: TruthCounts };
  rows: TruthRow[];
  atEnd: TruthAtEnd;
}
