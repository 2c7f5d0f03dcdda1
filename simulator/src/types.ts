import type {
  Complaint, DeviceModel, Device, Outlet, Part, PartsRequestEvent, ProductLine, Region, ServiceOrderEvent, StreamName, TelemetryRecord,
} from '@servicetower/domain';

/** The reference data of a simulated network, each item with the id it is upserted under. */
export interface Network {
  regions: Array<{ id: string } & Region>;
  outlets: Array<{ id: string } & Outlet>;
  productLines: Array<{ id: string } & ProductLine>;
  parts: Array<{ partNo: string } & Part>;
  deviceModels: Array<{ id: string } & DeviceModel>;
  devices: Array<{ id: string } & Device>;
  customers: string[];
}

/** Every knob of the simulation. Times are epoch milliseconds. */
export interface SimulationSettings {
  seed: number;
  /** First instant simulated (history starts here) and the instant it ends. */
  start: number;
  end: number;
  /** IANA zone of the business: days, weeks and holidays are local to it. */
  timeZone: string;
  outlets: number;
  parts: number;
  /** Monitored devices per non-engine model; engines come from the C-MAPSS units replayed. */
  devicesPerModel: number;
  /** Mean orders created per outlet per day at the start, before seasonality and growth. */
  ordersPerOutletPerDay: number;
  /** Yearly demand growth per region, e.g. 0.4 = +40 % over a year. Regions not listed: `defaultGrowth`. */
  regionGrowth: Record<string, number>;
  defaultGrowth: number;
  /** Share of orders that need parts, of orders reopened after completion, of orders cancelled. */
  partsShare: number;
  reopenShare: number;
  cancelShare: number;
  /** Share of hq_stock parts among all parts. */
  hqStockShare: number;
  /** Mean supply cycle (requested → received) in days per source, before and after the programme date. */
  supplyDays: { hq_stock: { before: number; after: number }; hq_procured: { before: number; after: number } };
  programmeDate: number;
  /** Complaint probability per order: base + perWaitDay × days waited for parts + perTurnaroundDay × days to complete (capped at 0.9). */
  complaint: { base: number; perWaitDay: number; perTurnaroundDay: number };
  /** Delivery faults: share of events sent twice, sent late (in a later batch, up to lateMaxHours after), shuffled within their batch. */
  delivery: { duplicateShare: number; lateShare: number; lateMaxHours: number; outOfOrderShare: number };
}

/** The events a run generated: each event once, in event-time order. The truth is computed from these. */
export interface EventLog {
  'service-orders': ServiceOrderEvent[];
  parts: PartsRequestEvent[];
  complaints: Complaint[];
}

/** One delivery to the API: a batch of records of one stream, sent at simulated time `sendAt`. */
export interface Delivery<S extends StreamName = StreamName> {
  stream: S;
  sendAt: number;
  records: Array<S extends 'telemetry' ? TelemetryRecord : EventLog[Exclude<S, 'telemetry'>][number]>;
}

/** A developing fault on a monitored device that ends in a proactive service order. */
export interface DeviceFault {
  deviceId: string;
  sensor: string;
  /** When the sensor starts to drift, and when the resulting order is created. */
  driftStartsAt: number;
  orderCreatedAt: number;
}
