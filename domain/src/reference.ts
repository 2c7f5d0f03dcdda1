import { Type, type Static, type TObject } from '@sinclair/typebox';
import { Id, Money, StringEnum } from './primitives.js';
import { PARTS_SOURCES, SensorName } from './streams.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });

export const Region = Type.Object({ name: Name }, { additionalProperties: false });
export const Outlet = Type.Object(
  {
    name: Name,
    regionId: Id,
    technicians: Type.Integer({ minimum: 0, maximum: 10000, description: 'technicians on staff today' }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
  },
  { additionalProperties: false },
);
export const ProductLine = Type.Object({ name: Name }, { additionalProperties: false });
export const Part = Type.Object(
  {
    name: Name,
    source: StringEnum(PARTS_SOURCES),
    unitCost: Money,
    targetDays: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 365, description: 'supply-cycle target for this part; default: its source’s target' }),
    ),
  },
  { additionalProperties: false },
);
export const SensorDefinition = Type.Object(
  {
    name: SensorName,
    unit: Type.String({ maxLength: 32 }),
    min: Type.Number(),
    max: Type.Number(),
  },
  { additionalProperties: false },
);
export const DeviceModel = Type.Object(
  { name: Name, sensors: Type.Array(SensorDefinition, { maxItems: 1000 }) },
  { additionalProperties: false },
);
export const Device = Type.Object(
  { modelId: Id, outletId: Id, customerId: Type.Optional(Id) },
  { additionalProperties: false },
);

export type Region = Static<typeof Region>;
export type Outlet = Static<typeof Outlet>;
export type ProductLine = Static<typeof ProductLine>;
export type Part = Static<typeof Part>;
export type SensorDefinition = Static<typeof SensorDefinition>;
export type DeviceModel = Static<typeof DeviceModel>;
export type Device = Static<typeof Device>;

export const COLLECTION_NAMES = ['regions', 'outlets', 'product-lines', 'parts', 'device-models', 'devices'] as const;
export type CollectionName = (typeof COLLECTION_NAMES)[number];

/**
 * Each reference collection: its body schema, the name of its id in URLs and CSV,
 * and the noun used in messages.
 */
export const COLLECTIONS = {
  regions: { schema: Region, idName: 'id', noun: 'region' },
  outlets: { schema: Outlet, idName: 'id', noun: 'outlet' },
  'product-lines': { schema: ProductLine, idName: 'id', noun: 'product line' },
  parts: { schema: Part, idName: 'partNo', noun: 'part' },
  'device-models': { schema: DeviceModel, idName: 'id', noun: 'device model' },
  devices: { schema: Device, idName: 'id', noun: 'device' },
} as const satisfies Record<CollectionName, { schema: TObject; idName: string; noun: string }>;

export interface CollectionBody {
  regions: Region;
  outlets: Outlet;
  'product-lines': ProductLine;
  parts: Part;
  'device-models': DeviceModel;
  devices: Device;
}
