export { complaintRates, PARTS_WAIT_CAUSE, type ComplaintRow } from './kpi/complaints.js';
export { type Figure, type KpiGroupBy, type KpiInterval, type KpiQuery, type Unavailable } from './kpi/scope.js';
export { serviceLoad, type ServiceLoadRow, type Spread } from './kpi/serviceLoad.js';
export {
  openPartsRequests, ordersWaitingForParts, supplyCycle,
  type OpenPartsRequestRow, type OrderWaitingForPartsRow, type PartsSource, type SnapshotQuery, type SupplyCycleGroupBy,
  type SupplyCycleQuery, type SupplyCycleRow,
} from './kpi/parts.js';
export { overview, type Overview } from './kpi/overview.js';
export { partsWaitComplaints, type PartsWaitComplaintRow } from './kpi/partsWait.js';
