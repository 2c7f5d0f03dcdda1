import type { FieldError, StreamName, StreamRecord, TelemetryRecord } from '@servicetower/domain';
import type { ReferenceSnapshot } from './referenceCache.js';

/**
 * Checks that a schema-valid record names things that exist and lie inside the key's
 * regions (null: all). Returns one error per offending field.
 */
export function checkReferences<S extends StreamName>(
  stream: S,
  record: StreamRecord[S],
  refs: ReferenceSnapshot,
  regions: readonly string[] | null,
): FieldError[] {
  const errors: FieldError[] = [];
  if (stream === 'telemetry') {
    checkDevice(record as TelemetryRecord, refs, regions, errors);
    return errors;
  }
  const event = record as StreamRecord['service-orders' | 'parts' | 'complaints'];
  checkOutlet('/outletId', event.outletId, refs, regions, errors);
  if ('productLine' in event && !refs.productLines.has(event.productLine)) {
    errors.push({ path: '/productLine', message: `unknown product line "${event.productLine}": create it with PUT /api/v1/product-lines/${event.productLine}` });
  }
  if ('partNo' in event && !refs.parts.has(event.partNo)) {
    errors.push({ path: '/partNo', message: `unknown part "${event.partNo}": create it with PUT /api/v1/parts/${event.partNo}` });
  }
  return errors;
}

function checkOutlet(path: string, outletId: string, refs: ReferenceSnapshot, regions: readonly string[] | null, errors: FieldError[]) {
  const region = refs.outletRegion.get(outletId);
  if (region === undefined) {
    errors.push({ path, message: `unknown outlet "${outletId}": create it with PUT /api/v1/outlets/${outletId}` });
  } else if (regions && !regions.includes(region)) {
    errors.push({ path, message: `outlet "${outletId}" is in region "${region}", outside this API key's regions (${regions.join(', ')})` });
  }
}

function checkDevice(record: TelemetryRecord, refs: ReferenceSnapshot, regions: readonly string[] | null, errors: FieldError[]) {
  const device = refs.devices.get(record.deviceId);
  if (!device) {
    errors.push({ path: '/deviceId', message: `unknown device "${record.deviceId}": create it with PUT /api/v1/devices/${record.deviceId}` });
    return;
  }
  const region = refs.outletRegion.get(device.outletId);
  if (regions && (region === undefined || !regions.includes(region))) {
    errors.push({ path: '/deviceId', message: `device "${record.deviceId}" is in region "${region ?? '?'}", outside this API key's regions (${regions.join(', ')})` });
    return;
  }
  const sensors = refs.modelSensors.get(device.modelId) ?? new Set<string>();
  record.readings.forEach((sample, i) => {
    for (const sensor of Object.keys(sample.values)) {
      if (!sensors.has(sensor)) {
        errors.push({
          path: `/readings/${i}/values/${sensor}`,
          message: `sensor "${sensor}" is not defined for device model "${device.modelId}": add it with PUT /api/v1/device-models/${device.modelId}`,
        });
        return;
      }
    }
  });
}
