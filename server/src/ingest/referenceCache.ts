import type { Queryable } from '@servicetower/workers';

/** What ingestion checks records against: which ids exist, and where they belong. */
export interface ReferenceSnapshot {
  outletRegion: Map<string, string>;
  productLines: Set<string>;
  parts: Set<string>;
  devices: Map<string, { outletId: string; modelId: string }>;
  modelSensors: Map<string, Set<string>>;
}

const MAX_AGE_MS = 10_000;
const MIN_RELOAD_GAP_MS = 1_000;

/**
 * Reference data held in memory for validation. It reloads when older than 10 s, when
 * this process changed it, and on a miss (at most once a second), so an outlet created
 * a moment ago through another API instance is found.
 */
export class ReferenceCache {
  private snapshot: ReferenceSnapshot | null = null;
  private loadedAt = 0;
  private loading: Promise<ReferenceSnapshot> | null = null;

  constructor(private readonly db: Queryable) {}

  async current(): Promise<ReferenceSnapshot> {
    if (this.snapshot && Date.now() - this.loadedAt < MAX_AGE_MS) return this.snapshot;
    return this.reload();
  }

  /** Reloads after a lookup missed; false when the snapshot is already fresh. */
  async reloadAfterMiss(): Promise<ReferenceSnapshot | null> {
    if (Date.now() - this.loadedAt < MIN_RELOAD_GAP_MS) return null;
    return this.reload();
  }

  invalidate(): void {
    this.loadedAt = 0;
  }

  private reload(): Promise<ReferenceSnapshot> {
    this.loading ??= loadSnapshot(this.db)
      .then((snapshot) => {
        this.snapshot = snapshot;
        this.loadedAt = Date.now();
        return snapshot;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }
}

async function loadSnapshot(db: Queryable): Promise<ReferenceSnapshot> {
  const [outlets, productLines, parts, devices, sensors] = await Promise.all([
    db.query<{ outlet_id: string; region_id: string }>('SELECT outlet_id, region_id FROM outlet'),
    db.query<{ product_line_id: string }>('SELECT product_line_id FROM product_line'),
    db.query<{ part_no: string }>('SELECT part_no FROM part'),
    db.query<{ device_id: string; outlet_id: string; device_model_id: string }>('SELECT device_id, outlet_id, device_model_id FROM device'),
    db.query<{ device_model_id: string; name: string }>('SELECT device_model_id, name FROM device_model_sensor'),
  ]);
  const modelSensors = new Map<string, Set<string>>();
  for (const row of sensors.rows) {
    let names = modelSensors.get(row.device_model_id);
    if (!names) modelSensors.set(row.device_model_id, (names = new Set()));
    names.add(row.name);
  }
  return {
    outletRegion: new Map(outlets.rows.map((r) => [r.outlet_id, r.region_id])),
    productLines: new Set(productLines.rows.map((r) => r.product_line_id)),
    parts: new Set(parts.rows.map((r) => r.part_no)),
    devices: new Map(devices.rows.map((r) => [r.device_id, { outletId: r.outlet_id, modelId: r.device_model_id }])),
    modelSensors,
  };
}
