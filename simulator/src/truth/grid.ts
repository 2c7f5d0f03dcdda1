import { COMPLAINT_CAUSES, PARTS_SOURCES } from '@servicetower/domain';
import { DAY_MS, HOUR_MS, type BucketAxis } from './calendar.js';
import type { OrderFacts } from './orders.js';
import type { RequestFacts } from './parts.js';
import type { ComplaintCause, PartsSource } from './types.js';

type Samples = Array<number[] | undefined>;

/**
 * The raw tallies of one interval: a cell per scope and bucket (cell = scope × buckets + bucket),
 * filled fact by fact and turned into figures once at the end.
 */
export class FigureGrid {
  readonly received: Int32Array;
  readonly completed: Int32Array;
  readonly firstTimeFixes: Int32Array;
  readonly turnaroundHours: Samples;
  readonly supplyDays = {} as Record<PartsSource, Samples>;
  readonly withinTarget = {} as Record<PartsSource, Int32Array>;
  readonly complaints = {} as Record<ComplaintCause, Int32Array>;
  /** Of the orders received in the bucket: those that requested parts, and the complaints about each kind. */
  readonly ordersWaited: Int32Array;
  readonly complaintsWaited: Int32Array;
  readonly complaintsNotWaited: Int32Array;
  /** Per scope, buckets + 1 slots: +1 where an open span starts counting, −1 where it stops. */
  private readonly backlogSteps: Int32Array;

  constructor(readonly axis: BucketAxis, scopeCount: number) {
    const cells = scopeCount * axis.length;
    this.received = new Int32Array(cells);
    this.completed = new Int32Array(cells);
    this.firstTimeFixes = new Int32Array(cells);
    this.ordersWaited = new Int32Array(cells);
    this.complaintsWaited = new Int32Array(cells);
    this.complaintsNotWaited = new Int32Array(cells);
    this.turnaroundHours = new Array<number[] | undefined>(cells);
    for (const source of PARTS_SOURCES) {
      this.supplyDays[source] = new Array<number[] | undefined>(cells);
      this.withinTarget[source] = new Int32Array(cells);
    }
    for (const cause of COMPLAINT_CAUSES) this.complaints[cause] = new Int32Array(cells);
    this.backlogSteps = new Int32Array(scopeCount * (axis.length + 1));
  }

  /** `complaints`: how many complaints name this order, whenever they were made. */
  addOrder(order: OrderFacts, scopes: readonly number[], complaints = 0): void {
    if (order.createdAt !== null) {
      this.count(this.received, order.createdAt, scopes);
      const bucket = this.bucketOf(order.createdAt);
      for (const scope of bucket < 0 ? [] : scopes) {
        const cell = this.cell(scope, bucket);
        if (order.waitedForParts) {
          this.ordersWaited[cell]! += 1;
          this.complaintsWaited[cell]! += complaints;
        } else {
          this.complaintsNotWaited[cell]! += complaints;
        }
      }
    }
    let counted = -1;
    for (const at of order.completions) {
      const bucket = this.bucketOf(at);
      if (bucket < 0 || bucket === counted) continue; // a second completion in the same bucket is the same order
      counted = bucket;
      for (const scope of scopes) {
        this.completed[this.cell(scope, bucket)]! += 1;
        if (order.firstTimeFix) this.firstTimeFixes[this.cell(scope, bucket)]! += 1;
      }
    }
    const firstCompletion = order.completions[0];
    if (order.createdAt !== null && firstCompletion !== undefined) {
      this.sample(this.turnaroundHours, firstCompletion, (firstCompletion - order.createdAt) / HOUR_MS, scopes);
    }
    for (const [from, to] of order.openSpans) this.addOpenSpan(from, to, scopes);
  }

  addRequest(request: RequestFacts, targetDays: number, scopes: readonly number[]): void {
    if (request.requestedAt === null || request.receivedAt === null) return;
    const days = (request.receivedAt - request.requestedAt) / DAY_MS;
    this.sample(this.supplyDays[request.source], request.receivedAt, days, scopes);
    if (days <= targetDays) this.count(this.withinTarget[request.source], request.receivedAt, scopes);
  }

  addComplaint(at: number, cause: ComplaintCause, scopes: readonly number[]): void {
    this.count(this.complaints[cause], at, scopes);
  }

  /** Orders open at the end of each bucket of a scope, in bucket order. */
  backlog(scope: number): number[] {
    const steps = this.backlogSteps.subarray(scope * (this.axis.length + 1));
    const open: number[] = [];
    let running = 0;
    for (let bucket = 0; bucket < this.axis.length; bucket++) open.push((running += steps[bucket]!));
    return open;
  }

  cell(scope: number, bucket: number): number {
    return scope * this.axis.length + bucket;
  }

  /** The bucket of `at`, or −1 when it falls outside the run's buckets. */
  private bucketOf(at: number): number {
    const bucket = this.axis.indexOf(at);
    return bucket < this.axis.length ? bucket : -1;
  }

  private count(tally: Int32Array, at: number, scopes: readonly number[]): void {
    const bucket = this.bucketOf(at);
    if (bucket < 0) return;
    for (const scope of scopes) tally[this.cell(scope, bucket)]! += 1;
  }

  private sample(samples: Samples, at: number, value: number, scopes: readonly number[]): void {
    const bucket = this.bucketOf(at);
    if (bucket < 0) return;
    for (const scope of scopes) (samples[this.cell(scope, bucket)] ??= []).push(value);
  }

  /** An order open over [from, to) is in the backlog of every bucket that ends inside that span. */
  private addOpenSpan(from: number, to: number, scopes: readonly number[]): void {
    const [first, afterLast] = this.axis.endsWithin(from, to);
    if (first >= afterLast) return;
    const width = this.axis.length + 1;
    for (const scope of scopes) {
      this.backlogSteps[scope * width + first]! += 1;
      this.backlogSteps[scope * width + afterLast]! -= 1;
    }
  }
}
