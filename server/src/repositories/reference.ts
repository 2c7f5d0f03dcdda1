import type { CollectionBody, CollectionName } from '@servicetower/domain';
import type { Queryable } from '@servicetower/workers';

/** A stored reference item: its id under the collection's id name, and its fields. */
export type ReferenceItem = Record<string, unknown>;

export interface ListOptions {
  /** null: every region. Collections tied to a region return only items in these. */
  regions: string[] | null;
  limit: number;
  /** Return items whose id sorts after this one (the `next` of the previous page). */
  after: string | null;
}

interface CollectionSql {
  /** Selects every item with its API field names, plus region_id (NULL for items that belong to no region). */
  select: string;
  /** The id field of the select, for ordering and lookup. */
  idField: '"id"' | '"partNo"';
  upsert(db: Queryable, id: string, body: never): Promise<void>;
}

const SQL: Record<CollectionName, CollectionSql> = {
  regions: {
    select: 'SELECT region_id AS "id", name, region_id FROM region',
    idField: '"id"',
    upsert: (db, id, body: CollectionBody['regions']) =>
      run(db, `INSERT INTO region (region_id, name) VALUES ($1, $2)
               ON CONFLICT (region_id) DO UPDATE SET name = excluded.name, updated_at = now()`, [id, body.name]),
  },
  outlets: {
    select: `SELECT outlet_id AS "id", name, region_id AS "regionId", technicians, lat, lon, region_id FROM outlet`,
    idField: '"id"',
    upsert: (db, id, b: CollectionBody['outlets']) =>
      run(db, `INSERT INTO outlet (outlet_id, name, region_id, technicians, lat, lon) VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (outlet_id) DO UPDATE SET name = excluded.name, region_id = excluded.region_id,
                 technicians = excluded.technicians, lat = excluded.lat, lon = excluded.lon, updated_at = now()`,
        [id, b.name, b.regionId, b.technicians, b.lat, b.lon]),
  },
  'product-lines': {
    select: 'SELECT product_line_id AS "id", name, NULL::text AS region_id FROM product_line',
    idField: '"id"',
    upsert: (db, id, body: CollectionBody['product-lines']) =>
      run(db, `INSERT INTO product_line (product_line_id, name) VALUES ($1, $2)
               ON CONFLICT (product_line_id) DO UPDATE SET name = excluded.name, updated_at = now()`, [id, body.name]),
  },
  parts: {
    select: `SELECT part_no AS "partNo", name, source, unit_cost::float8 AS "unitCost", target_days::float8 AS "targetDays", NULL::text AS region_id FROM part`,
    idField: '"partNo"',
    upsert: (db, id, b: CollectionBody['parts']) =>
      run(db, `INSERT INTO part (part_no, name, source, unit_cost, target_days) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (part_no) DO UPDATE SET name = excluded.name, source = excluded.source,
                 unit_cost = excluded.unit_cost, target_days = excluded.target_days, updated_at = now()`,
        [id, b.name, b.source, b.unitCost, b.targetDays ?? null]),
  },
  'device-models': {
    select: `SELECT m.device_model_id AS "id", m.name,
               coalesce((SELECT json_agg(json_build_object('name', s.name, 'unit', s.unit, 'min', s.min, 'max', s.max) ORDER BY s.name)
                         FROM device_model_sensor s WHERE s.device_model_id = m.device_model_id), '[]') AS sensors,
               NULL::text AS region_id
             FROM device_model m`,
    idField: '"id"',
    async upsert(db, id, b: CollectionBody['device-models']) {
      await run(db, `INSERT INTO device_model (device_model_id, name) VALUES ($1, $2)
                     ON CONFLICT (device_model_id) DO UPDATE SET name = excluded.name, updated_at = now()`, [id, b.name]);
      await run(db, 'DELETE FROM device_model_sensor WHERE device_model_id = $1 AND NOT (name = ANY($2::text[]))',
        [id, b.sensors.map((s) => s.name)]);
      await run(db, `INSERT INTO device_model_sensor (device_model_id, name, unit, min, max)
                     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[])
                     ON CONFLICT (device_model_id, name) DO UPDATE SET unit = excluded.unit, min = excluded.min, max = excluded.max`,
        [id, b.sensors.map((s) => s.name), b.sensors.map((s) => s.unit), b.sensors.map((s) => s.min), b.sensors.map((s) => s.max)]);
    },
  },
  devices: {
    select: `SELECT d.device_id AS "id", d.device_model_id AS "modelId", d.outlet_id AS "outletId", d.customer_id AS "customerId", o.region_id
             FROM device d JOIN outlet o USING (outlet_id)`,
    idField: '"id"',
    upsert: (db, id, b: CollectionBody['devices']) =>
      run(db, `INSERT INTO device (device_id, device_model_id, outlet_id, customer_id) VALUES ($1, $2, $3, $4)
               ON CONFLICT (device_id) DO UPDATE SET device_model_id = excluded.device_model_id,
                 outlet_id = excluded.outlet_id, customer_id = excluded.customer_id, updated_at = now()`,
        [id, b.modelId, b.outletId, b.customerId ?? null]),
  },
};

async function run(db: Queryable, text: string, values: unknown[]): Promise<void> {
  await db.query(text, values);
}

/** Inserts or replaces one item. A missing region, model or outlet raises PostgreSQL error 23503. */
export function upsertReference<C extends CollectionName>(db: Queryable, collection: C, id: string, body: CollectionBody[C]): Promise<void> {
  return SQL[collection].upsert(db, id, body as never);
}

export async function getReference(db: Queryable, collection: CollectionName, id: string, regions: string[] | null): Promise<ReferenceItem | null> {
  const sql = SQL[collection];
  const { rows } = await db.query<ReferenceItem>(
    `SELECT * FROM (${sql.select}) AS item WHERE ${sql.idField} = $1
       AND ($2::text[] IS NULL OR region_id IS NULL OR region_id = ANY($2::text[]))`,
    [id, regions],
  );
  return rows[0] ? withoutRegionColumn(rows[0]) : null;
}

export async function listReference(db: Queryable, collection: CollectionName, options: ListOptions): Promise<ReferenceItem[]> {
  const sql = SQL[collection];
  const idField = sql.idField;
  const { rows } = await db.query<ReferenceItem>(
    `SELECT * FROM (${sql.select}) AS item
     WHERE ($1::text[] IS NULL OR region_id IS NULL OR region_id = ANY($1::text[])) AND ($2::text IS NULL OR ${idField} > $2)
     ORDER BY ${idField} LIMIT $3`,
    [options.regions, options.after, options.limit],
  );
  return rows.map(withoutRegionColumn);
}

function withoutRegionColumn(row: ReferenceItem): ReferenceItem {
  const { region_id: _region, ...item } = row;
  return item;
}
