export { complaintRates, PARTS_WAIT_CAUSE, type ComplaintRow } from './kpi/complaints.js';
export { type Figure, type KpiGroupBy, type KpiInterval, type KpiQuery, type Unavailable } from './kpi/scope.js';
export { serviceLoad, type ServiceLoadRow, type Spread } from './kpi/serviceLoad.js';
