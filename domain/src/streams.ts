import { Type, type Static, type TObject } from '@sinclair/typebox';
import { Id, Money, StringEnum, Timestamp } from './primitives.js';

export const SERVICE_ORDER_EVENT_TYPES = [
  'created', 'assigned', 'visit_started', 'parts_requested', 'parts_received',
  'completed', 'closed', 'cancelled', 'reopened',
] as const;
export const ORDER_CHANNELS = ['call_centre', 'web', 'walk_in', 'proactive'] as const;
export const PARTS_EVENT_TYPES = ['requested', 'shipped', 'received', 'cancelled'] as const;
export const PARTS_SOURCES = ['hq_stock', 'hq_procured'] as const;
export const COMPLAINT_CAUSES = ['parts_wait', 'repair_quality', 'turnaround', 'staff_conduct', 'other'] as const;
export const COMPLAINT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export const ServiceOrderEvent = Type.Object(
  {
    eventId: Id,
    orderId: Id,
    type: StringEnum(SERVICE_ORDER_EVENT_TYPES),
    at: Timestamp,
    outletId: Id,
    productLine: Id,
    technicianId: Type.Optional(Id),
    customerId: Type.Optional(Id),
    deviceId: Type.Optional(Id),
    channel: Type.Optional(StringEnum(ORDER_CHANNELS)),
    laborCost: Type.Optional(Money),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type ServiceOrderEvent = Static<typeof ServiceOrderEvent>;

export const PartsRequestEvent = Type.Object(
  {
    eventId: Id,
    requestId: Id,
    type: StringEnum(PARTS_EVENT_TYPES),
    at: Timestamp,
    outletId: Id,
    partNo: Id,
    quantity: Type.Integer({ minimum: 1, maximum: 100000 }),
    source: StringEnum(PARTS_SOURCES, 'hq_stock: stocked at headquarters; hq_procured: procured by headquarters on request'),
    orderId: Type.Optional(Id),
    unitCost: Type.Optional(Money),
  },
  { additionalProperties: false },
);
export type PartsRequestEvent = Static<typeof PartsRequestEvent>;

export const Complaint = Type.Object(
  {
    eventId: Id,
    complaintId: Id,
    at: Timestamp,
    outletId: Id,
    productLine: Id,
    cause: StringEnum(COMPLAINT_CAUSES),
    orderId: Type.Optional(Id),
    channel: Type.Optional(StringEnum(ORDER_CHANNELS)),
    severity: Type.Optional(StringEnum(COMPLAINT_SEVERITIES)),
  },
  { additionalProperties: false },
);
export type Complaint = Static<typeof Complaint>;

export const SensorName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$',
  description: 'a letter, then up to 63 letters, digits, _ . or -',
});

/** One sample of a device: the time and the value of each sensor read at that time. */
export const TelemetrySample = Type.Object(
  {
    at: Timestamp,
    values: Type.Record(SensorName, Type.Number(), {
      minProperties: 1,
      maxProperties: 1000,
      additionalProperties: false,
      keyDescription: `a sensor name: ${String(SensorName.description)}`,
    }),
  },
  { additionalProperties: false },
);

export const TelemetryRecord = Type.Object(
  {
    deviceId: Id,
    readings: Type.Array(TelemetrySample, { minItems: 1, maxItems: 10000 }),
  },
  { additionalProperties: false },
);
export type TelemetryRecord = Static<typeof TelemetryRecord>;

export const STREAM_NAMES = ['service-orders', 'parts', 'complaints', 'telemetry'] as const;
export type StreamName = (typeof STREAM_NAMES)[number];

/** The record schema and the noun a message uses for each stream. */
export const STREAMS = {
  'service-orders': { schema: ServiceOrderEvent, noun: 'service-order event', csv: true },
  parts: { schema: PartsRequestEvent, noun: 'parts event', csv: true },
  complaints: { schema: Complaint, noun: 'complaint', csv: true },
  telemetry: { schema: TelemetryRecord, noun: 'telemetry record', csv: false },
} as const satisfies Record<StreamName, { schema: TObject; noun: string; csv: boolean }>;

export interface StreamRecord {
  'service-orders': ServiceOrderEvent;
  parts: PartsRequestEvent;
  complaints: Complaint;
  telemetry: TelemetryRecord;
}

/** Readings are counted as stored: one sensor value at one time. */
export function countReadings(record: TelemetryRecord): number {
  let n = 0;
  for (const sample of record.readings) n += Object.keys(sample.values).length;
  return n;
}
