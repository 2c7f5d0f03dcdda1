import type { CollectionBody, CollectionName, FieldError } from '@servicetower/domain';
import type { Queryable } from '@servicetower/workers';
import type { Principal } from '../auth/principal.js';
import { upsertReference } from '../repositories/reference.js';

/** Why an upsert was refused: the status to answer and the field errors behind it. */
export class ReferenceRejection extends Error {
  constructor(
    readonly statusCode: 403 | 422,
    readonly errors: FieldError[],
  ) {
    super(errors.map((e) => `${e.path} ${e.message}`).join('; '));
  }
}

/** The region an outlet or device belongs to now, if it exists: a scoped key may not take one from another region. */
async function currentRegionOf(db: Queryable, collection: CollectionName, id: string): Promise<string | undefined> {
  const sql = {
    outlets: 'SELECT region_id FROM outlet WHERE outlet_id = $1',
    devices: 'SELECT o.region_id FROM device d JOIN outlet o USING (outlet_id) WHERE d.device_id = $1',
  }[collection as 'outlets' | 'devices'];
  if (!sql) return undefined;
  const { rows } = await db.query<{ region_id: string }>(sql, [id]);
  return rows[0]?.region_id;
}

/** Which region an item would belong to, for scope checks; null for collections that have none. */
async function regionOf(db: Queryable, collection: CollectionName, id: string, body: CollectionBody[CollectionName]): Promise<string | null | undefined> {
  switch (collection) {
    case 'regions':
      return id;
    case 'outlets':
      return (body as CollectionBody['outlets']).regionId;
    case 'devices': {
      const { rows } = await db.query<{ region_id: string }>('SELECT region_id FROM outlet WHERE outlet_id = $1', [(body as CollectionBody['devices']).outletId]);
      return rows[0]?.region_id;
    }
    default:
      return null;
  }
}

/** Rules the schema cannot say: a sensor's range runs upwards, sensor names are unique. */
function crossFieldErrors(collection: CollectionName, body: CollectionBody[CollectionName]): FieldError[] {
  if (collection !== 'device-models') return [];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  (body as CollectionBody['device-models']).sensors.forEach((sensor, i) => {
    if (sensor.min > sensor.max) errors.push({ path: `/sensors/${i}/max`, message: `must be at least min (${sensor.min}), got ${sensor.max}` });
    if (seen.has(sensor.name)) errors.push({ path: `/sensors/${i}/name`, message: `"${sensor.name}" is listed twice` });
    seen.add(sensor.name);
  });
  return errors;
}

const MISSING_PARENT: Record<string, { path: string; collection: string }> = {
  outlet_region_id_fkey: { path: '/regionId', collection: 'regions' },
  device_device_model_id_fkey: { path: '/modelId', collection: 'device-models' },
  device_outlet_id_fkey: { path: '/outletId', collection: 'outlets' },
};

/**
 * Checks scope and cross-field rules, then upserts. A region-scoped key may only touch
 * items in its regions, and only an all-regions key may change network-wide collections.
 */
export async function applyReference<C extends CollectionName>(
  db: Queryable,
  principal: Principal,
  collection: C,
  id: string,
  body: CollectionBody[C],
): Promise<void> {
  const errors = crossFieldErrors(collection, body);
  if (errors.length > 0) throw new ReferenceRejection(422, errors);
  if (principal.regions) {
    const region = await regionOf(db, collection, id, body);
    if (region === null) {
      throw new ReferenceRejection(403, [{ path: '', message: `${collection} belong to the whole network: only an API key without a region limit may change them` }]);
    }
    for (const touched of [region, await currentRegionOf(db, collection, id)]) {
      if (touched !== undefined && !principal.regions.includes(touched)) {
        throw new ReferenceRejection(403, [{ path: '', message: `region "${touched}" is outside this API key's regions (${principal.regions.join(', ')})` }]);
      }
    }
  }
  try {
    await upsertReference(db, collection, id, body);
  } catch (error) {
    const missing = MISSING_PARENT[(error as { constraint?: string }).constraint ?? ''];
    if ((error as { code?: string }).code === '23503' && missing) {
      const value = String((body as Record<string, unknown>)[missing.path.slice(1)]);
      throw new ReferenceRejection(422, [{ path: missing.path, message: `"${value}" does not exist: create it first with PUT /api/v1/${missing.collection}/${value}` }]);
    }
    throw error;
  }
}
