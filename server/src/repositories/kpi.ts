export { complaintRates, PARTS_WAIT_CAUSE } from './kpi/complaints.js';
export { type KpiGroupBy, type KpiInterval, type KpiQuery } from './kpi/scope.js';
export { serviceLoad } from './kpi/serviceLoad.js';
export {
  openPartsRequests, ordersWaitingForParts, supplyCycle, type PartsSource, type SnapshotQuery, type SupplyCycleGroupBy, type SupplyCycleQuery,
} from './kpi/parts.js';
export { overview } from './kpi/overview.js';
export { partsWaitComplaints } from './kpi/partsWait.js';
