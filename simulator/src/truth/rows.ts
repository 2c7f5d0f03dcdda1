import { COMPLAINT_CAUSES, PARTS_SOURCES } from '@servicetower/domain';
import type { FigureGrid } from './grid.js';
import type { Scope } from './scopes.js';
import { ratio, spreadOf, unavailable, type Figure, type Unavailable } from './stats.js';
import type { ComplaintCause, PartsSource, SupplyCycle, TruthRow } from './types.js';

export const NO_PRODUCT_LINE: Unavailable = Object.freeze(unavailable('parts requests carry no product line'));

export interface RowContext {
  targets: Record<PartsSource, number>;
  partsWaitCause: ComplaintCause;
}

/** One row per scope and bucket of the grid's interval, empty buckets included. */
export function rowsOf(grid: FigureGrid, scopes: readonly Scope[], context: RowContext): TruthRow[] {
  const rows: TruthRow[] = [];
  scopes.forEach((scope, slot) => {
    const backlog = grid.backlog(slot);
    grid.axis.labels.forEach((bucket, index) => {
      const cell = grid.cell(slot, index);
      rows.push({
        scope: scope.kind,
        scopeId: scope.id,
        interval: grid.axis.interval,
        bucket,
        ...serviceLoad(grid, scope, cell, backlog[index]!),
        supplyCycle: scope.kind === 'productLine' ? NO_PRODUCT_LINE : supplyCycles(grid, cell, context.targets),
        ...complaints(grid, cell, context.partsWaitCause),
        partsWaitLink: partsWaitLink(grid, cell),
      });
    });
  });
  return rows;
}

function serviceLoad(grid: FigureGrid, scope: Scope, cell: number, backlog: number) {
  const ordersReceived = grid.received[cell]!;
  const ordersCompleted = grid.completed[cell]!;
  const turnaround = grid.turnaroundHours[cell];
  return {
    ordersReceived,
    ordersCompleted,
    backlog,
    avgOrdersPerOutlet: ratio(ordersReceived, scope.outlets, 'no outlets in scope'),
    ordersPerTechnician: ratio(ordersReceived, scope.technicians, 'no technicians on staff in scope'),
    turnaroundHours: turnaround
      ? spreadOf(turnaround)
      : unavailable(ordersCompleted > 0 ? 'only repeat completions of reopened orders' : 'no orders completed'),
    firstTimeFixRate: ratio(grid.firstTimeFixes[cell]!, ordersCompleted, 'no orders completed'),
  };
}

function supplyCycles(grid: FigureGrid, cell: number, targets: Record<PartsSource, number>): Record<PartsSource, Figure<SupplyCycle>> {
  const cycles = {} as Record<PartsSource, Figure<SupplyCycle>>;
  for (const source of PARTS_SOURCES) {
    const days = grid.supplyDays[source][cell];
    if (!days) {
      cycles[source] = unavailable(`no ${source} requests received`);
      continue;
    }
    const { mean, p50, p90 } = spreadOf(days);
    cycles[source] = {
      requests: days.length,
      meanDays: mean,
      p50Days: p50,
      p90Days: p90,
      targetDays: targets[source],
      withinTargetShare: grid.withinTarget[source][cell]! / days.length,
    };
  }
  return cycles;
}

function complaints(grid: FigureGrid, cell: number, partsWaitCause: ComplaintCause) {
  const byCause: Partial<Record<ComplaintCause, number>> = {};
  let total = 0;
  for (const cause of COMPLAINT_CAUSES) {
    const count = grid.complaints[cause][cell]!;
    if (count > 0) byCause[cause] = count;
    total += count;
  }
  const received = grid.received[cell]!;
  return {
    complaints: total,
    complaintsByCause: byCause,
    complaintRatePer100: ratio(total, received, 'no orders received', 100),
    partsWaitRatePer100: ratio(byCause[partsWaitCause] ?? 0, received, 'no orders received', 100),
  };
}

function partsWaitLink(grid: FigureGrid, cell: number) {
  const ordersWaited = grid.ordersWaited[cell]!;
  const ordersNotWaited = grid.received[cell]! - ordersWaited;
  const complaintsWaited = grid.complaintsWaited[cell]!;
  const complaintsNotWaited = grid.complaintsNotWaited[cell]!;
  return {
    ordersWaited,
    ordersNotWaited,
    complaintsWaited,
    complaintsNotWaited,
    complaintRateWaitedPer100: ratio(complaintsWaited, ordersWaited, 'no orders received that waited for parts', 100),
    complaintRateNotWaitedPer100: ratio(complaintsNotWaited, ordersNotWaited, 'no orders received that did not wait for parts', 100),
  };
}
