import type { SensorDefinition } from '@servicetower/domain';
import type { Random } from './random.js';
import type { Network, SimulationSettings } from './types.js';

interface City {
  code: string;
  name: string;
  region: string;
  /** Urban population in millions: outlets are spread in proportion to it. */
  size: number;
  lat: number;
  lon: number;
}

export const REGIONS: ReadonlyArray<{ id: string; name: string }> = [
  { id: 'north', name: 'North China' },
  { id: 'northeast', name: 'Northeast China' },
  { id: 'east', name: 'East China' },
  { id: 'south', name: 'South China' },
  { id: 'central', name: 'Central China' },
  { id: 'southwest', name: 'Southwest China' },
  { id: 'northwest', name: 'Northwest China' },
];

const CITIES: readonly City[] = [
  { code: 'bj', name: 'Beijing', region: 'north', size: 21.9, lat: 39.904, lon: 116.407 },
  { code: 'tj', name: 'Tianjin', region: 'north', size: 13.7, lat: 39.084, lon: 117.201 },
  { code: 'sjz', name: 'Shijiazhuang', region: 'north', size: 11.2, lat: 38.042, lon: 114.515 },
  { code: 'ty', name: 'Taiyuan', region: 'north', size: 5.4, lat: 37.871, lon: 112.549 },
  { code: 'hh', name: 'Hohhot', region: 'north', size: 3.5, lat: 40.842, lon: 111.749 },
  { code: 'sy', name: 'Shenyang', region: 'northeast', size: 9.1, lat: 41.805, lon: 123.431 },
  { code: 'dl', name: 'Dalian', region: 'northeast', size: 7.5, lat: 38.914, lon: 121.615 },
  { code: 'cc', name: 'Changchun', region: 'northeast', size: 9.1, lat: 43.817, lon: 125.324 },
  { code: 'hrb', name: 'Harbin', region: 'northeast', size: 9.9, lat: 45.803, lon: 126.535 },
  { code: 'sh', name: 'Shanghai', region: 'east', size: 24.9, lat: 31.230, lon: 121.474 },
  { code: 'nj', name: 'Nanjing', region: 'east', size: 9.5, lat: 32.060, lon: 118.797 },
  { code: 'hz', name: 'Hangzhou', region: 'east', size: 12.4, lat: 30.274, lon: 120.155 },
  { code: 'su', name: 'Suzhou', region: 'east', size: 12.9, lat: 31.299, lon: 120.585 },
  { code: 'hf', name: 'Hefei', region: 'east', size: 9.6, lat: 31.821, lon: 117.227 },
  { code: 'jn', name: 'Jinan', region: 'east', size: 9.4, lat: 36.651, lon: 117.120 },
  { code: 'qd', name: 'Qingdao', region: 'east', size: 10.3, lat: 36.067, lon: 120.383 },
  { code: 'fz', name: 'Fuzhou', region: 'east', size: 8.4, lat: 26.075, lon: 119.296 },
  { code: 'xm', name: 'Xiamen', region: 'east', size: 5.3, lat: 24.480, lon: 118.089 },
  { code: 'gz', name: 'Guangzhou', region: 'south', size: 18.8, lat: 23.129, lon: 113.264 },
  { code: 'sz', name: 'Shenzhen', region: 'south', size: 17.7, lat: 22.543, lon: 114.058 },
  { code: 'dg', name: 'Dongguan', region: 'south', size: 10.5, lat: 23.021, lon: 113.752 },
  { code: 'nn', name: 'Nanning', region: 'south', size: 8.9, lat: 22.817, lon: 108.367 },
  { code: 'hk', name: 'Haikou', region: 'south', size: 2.9, lat: 20.044, lon: 110.199 },
  { code: 'wh', name: 'Wuhan', region: 'central', size: 13.7, lat: 30.593, lon: 114.305 },
  { code: 'cs', name: 'Changsha', region: 'central', size: 10.4, lat: 28.228, lon: 112.939 },
  { code: 'zz', name: 'Zhengzhou', region: 'central', size: 12.8, lat: 34.747, lon: 113.625 },
  { code: 'nc', name: 'Nanchang', region: 'central', size: 6.5, lat: 28.683, lon: 115.858 },
  { code: 'cd', name: 'Chengdu', region: 'southwest', size: 21.0, lat: 30.573, lon: 104.066 },
  { code: 'cq', name: 'Chongqing', region: 'southwest', size: 16.0, lat: 29.563, lon: 106.551 },
  { code: 'km', name: 'Kunming', region: 'southwest', size: 8.6, lat: 24.880, lon: 102.833 },
  { code: 'gy', name: 'Guiyang', region: 'southwest', size: 6.2, lat: 26.647, lon: 106.630 },
  { code: 'xa', name: "Xi'an", region: 'northwest', size: 12.9, lat: 34.341, lon: 108.940 },
  { code: 'lz', name: 'Lanzhou', region: 'northwest', size: 4.4, lat: 36.061, lon: 103.834 },
  { code: 'urc', name: 'Urumqi', region: 'northwest', size: 4.1, lat: 43.825, lon: 87.617 },
  { code: 'yc', name: 'Yinchuan', region: 'northwest', size: 2.9, lat: 38.487, lon: 106.231 },
  { code: 'xn', name: 'Xining', region: 'northwest', size: 2.5, lat: 36.617, lon: 101.778 },
];

export interface ProductLineProfile {
  id: string;
  name: string;
  /** Share of the orders, and of the parts catalogue. */
  orderShare: number;
  /** Mean labour cost of a repair and mean unit cost of a part, in the business currency. */
  laborCost: number;
  partCost: number;
  partLabel: string;
  partWords: readonly string[];
}

export const PRODUCT_LINES: readonly ProductLineProfile[] = [
  { id: 'tv', name: 'Televisions', orderShare: 0.22, laborCost: 180, partCost: 420, partLabel: 'TV', partWords: ['main board', 'power board', 'T-con board', 'LED backlight strip', 'panel', 'IR receiver', 'speaker set', 'Wi-Fi module', 'remote control', 'wall bracket'] },
  { id: 'audio', name: 'Audio', orderShare: 0.1, laborCost: 90, partCost: 110, partLabel: 'Audio', partWords: ['amplifier board', 'woofer', 'tweeter', 'Bluetooth module', 'volume encoder', 'power supply', 'HDMI ARC board', 'display board'] },
  { id: 'camera', name: 'Cameras', orderShare: 0.08, laborCost: 130, partCost: 260, partLabel: 'Camera', partWords: ['image sensor', 'shutter unit', 'lens mount', 'autofocus motor', 'LCD screen', 'battery door', 'mode dial', 'flash unit', 'main board'] },
  { id: 'laptop', name: 'Laptops', orderShare: 0.2, laborCost: 150, partCost: 380, partLabel: 'Laptop', partWords: ['motherboard', 'LCD assembly', 'keyboard', 'battery pack', 'cooling fan', 'SSD', 'hinge set', 'touchpad', 'DC-in jack', 'palm rest'] },
  { id: 'phone', name: 'Phones', orderShare: 0.3, laborCost: 100, partCost: 170, partLabel: 'Phone', partWords: ['display assembly', 'battery', 'charging port', 'rear camera', 'front camera', 'back cover', 'speaker', 'vibration motor', 'main board', 'SIM tray'] },
  { id: 'game_console', name: 'Game consoles', orderShare: 0.1, laborCost: 110, partCost: 140, partLabel: 'Console', partWords: ['controller', 'disc drive', 'power supply', 'cooling fan', 'HDMI port', 'main board', 'thumbstick module', 'storage drive'] },
];

/** Each product line's parts are numbered in a block of its own: P-1xxxx tv, P-2xxxx audio, … */
export function productLineOfPart(partNo: string): string | undefined {
  return PRODUCT_LINES[Number(partNo.charAt(2)) - 1]?.id;
}

export interface MonitoredSensor extends SensorDefinition {
  /** Healthy running value and its noise; a fault drifts the value towards `drift` × the envelope. */
  nominal: number;
  noise: number;
  drift: 1 | -1 | 0;
}

export interface MonitoredModel {
  id: string;
  name: string;
  /** Devices are named `<prefix>-001`, …; their service orders are of this product line. */
  devicePrefix: string;
  productLine: string | null;
  sensors: readonly MonitoredSensor[];
}

const ENGINE_SENSORS: ReadonlyArray<[string, string, number, number]> = [
  // Envelopes hold the first 50 cycles of every FD001 training unit (healthy running), with a small margin.
  // [unit, channel (Saxena et al. 2008), min, max] for s1 … s21 in the order of the C-MAPSS files.
  ['°R', 'T2 fan inlet temperature', 518, 519.5], ['°R', 'T24 LPC outlet temperature', 641, 643.9],
  ['°R', 'T30 HPC outlet temperature', 1569, 1605], ['°R', 'T50 LPT outlet temperature', 1380, 1425],
  ['psia', 'P2 fan inlet pressure', 14.5, 14.8], ['psia', 'P15 bypass-duct pressure', 21.5, 21.7],
  ['psia', 'P30 HPC outlet pressure', 551.5, 556.5], ['rpm', 'Nf physical fan speed', 2387.85, 2388.25],
  ['rpm', 'Nc physical core speed', 9025, 9085], ['', 'epr engine pressure ratio', 1.29, 1.31],
  ['psia', 'Ps30 HPC outlet static pressure', 46.8, 47.9], ['pps/psi', 'phi fuel flow to Ps30', 519.8, 523.8],
  ['rpm', 'NRf corrected fan speed', 2387.85, 2388.25], ['rpm', 'NRc corrected core speed', 8110, 8165],
  ['', 'BPR bypass ratio', 8.32, 8.52], ['', 'farB burner fuel-air ratio', 0.029, 0.031],
  ['', 'htBleed bleed enthalpy', 387, 397], ['rpm', 'Nf_dmd demanded fan speed', 2387.5, 2388.5],
  ['rpm', 'PCNfR_dmd demanded corrected fan speed', 99.5, 100.5], ['lbm/s', 'W31 HPT coolant bleed', 38.4, 39.6],
  ['lbm/s', 'W32 LPT coolant bleed', 23.0, 23.7],
];

export const ENGINE_MODEL: MonitoredModel = {
  id: 'cmapss-turbofan',
  name: 'Turbofan engine (NASA C-MAPSS FD001)',
  devicePrefix: 'eng',
  productLine: null,
  sensors: [
    // The flight number, so that remaining life can be counted in cycles as the data set does.
    { name: 'cycle', unit: 'flights', min: 1, max: 1000, nominal: 1, noise: 0, drift: 0 },
    // Operating settings (altitude, Mach, throttle resolver angle): constant in FD001.
    { name: 'op1', unit: '', min: -0.01, max: 0.01, nominal: 0, noise: 0.002, drift: 0 },
    { name: 'op2', unit: '', min: -0.001, max: 0.001, nominal: 0, noise: 0.0002, drift: 0 },
    { name: 'op3', unit: '°', min: 99.5, max: 100.5, nominal: 100, noise: 0, drift: 0 },
    ...ENGINE_SENSORS.map(([unit, , min, max], i) => ({
      name: `s${i + 1}`, unit, min, max, nominal: (min + max) / 2, noise: (max - min) / 10, drift: 0 as const,
    })),
  ],
};

/** The fleet models that report telemetry and get proactive service orders. */
export const FLEET_MODELS: readonly MonitoredModel[] = [
  {
    id: 'display-pro',
    name: 'Commercial display Pro 55',
    devicePrefix: 'dsp',
    productLine: 'tv',
    sensors: [
      { name: 'panel_temp', unit: '°C', min: 20, max: 55, nominal: 38, noise: 1.5, drift: 1 },
      { name: 'backlight_current', unit: 'mA', min: 280, max: 420, nominal: 350, noise: 6, drift: 1 },
      { name: 'fan_speed', unit: 'rpm', min: 1200, max: 3200, nominal: 2200, noise: 60, drift: -1 },
    ],
  },
  {
    id: 'laptop-fleet',
    name: 'Business laptop (fleet managed)',
    devicePrefix: 'lap',
    productLine: 'laptop',
    sensors: [
      { name: 'battery_temp', unit: '°C', min: 15, max: 45, nominal: 31, noise: 1.2, drift: 1 },
      { name: 'cpu_temp', unit: '°C', min: 30, max: 90, nominal: 58, noise: 4, drift: 1 },
      { name: 'fan_speed', unit: 'rpm', min: 1000, max: 5500, nominal: 2600, noise: 250, drift: -1 },
      { name: 'cycle_count', unit: 'cycles', min: 0, max: 1000, nominal: 300, noise: 0, drift: 0 },
    ],
  },
  {
    id: 'security-camera',
    name: 'Network security camera',
    devicePrefix: 'cam',
    productLine: 'camera',
    sensors: [
      { name: 'sensor_temp', unit: '°C', min: 10, max: 65, nominal: 40, noise: 2, drift: 1 },
      { name: 'supply_voltage', unit: 'V', min: 11.4, max: 12.6, nominal: 12, noise: 0.05, drift: -1 },
      { name: 'frame_drop_rate', unit: '%', min: 0, max: 2, nominal: 0.2, noise: 0.08, drift: 1 },
    ],
  },
];

/** The C-MAPSS FD001 training units, replayed as engines eng-001 … eng-100. */
export const ENGINE_COUNT = 100;

/** Orders one technician handles in a day when an outlet is staffed right. */
const ORDERS_PER_TECHNICIAN_DAY = 0.9;
/** Customers an outlet serves per technician: enough that most order rarely, a few often. */
const CUSTOMERS_PER_TECHNICIAN = 150;

export function generateNetwork(settings: SimulationSettings, rng: Random): Network {
  const outlets = generateOutlets(settings, rng.child('outlets'));
  const customers = outlets.flatMap((outlet) =>
    Array.from({ length: outlet.technicians * CUSTOMERS_PER_TECHNICIAN }, (_, i) => customerId(outlet.id, i + 1)),
  );
  return {
    regions: REGIONS.map(({ id, name }) => ({ id, name })),
    outlets,
    productLines: PRODUCT_LINES.map(({ id, name }) => ({ id, name })),
    parts: generateParts(settings, rng.child('parts')),
    deviceModels: [ENGINE_MODEL, ...FLEET_MODELS].map(({ id, name, sensors }) => ({
      id, name, sensors: sensors.map(({ name: sensor, unit, min, max }) => ({ name: sensor, unit, min, max })),
    })),
    devices: generateDevices(settings, outlets, rng.child('devices')),
    customers,
  };
}

/** Customers are named after their outlet, so that orders find an outlet's customers in the network alone. */
function customerId(outletId: string, n: number): string {
  return `${outletId}-c${String(n).padStart(4, '0')}`;
}

/** Each outlet's customers, in the order of the network. */
export function customersByOutlet(network: Network): Map<string, string[]> {
  const pools = new Map<string, string[]>(network.outlets.map((outlet) => [outlet.id, []]));
  for (const customer of network.customers) pools.get(customer.slice(0, customer.lastIndexOf('-c')))?.push(customer);
  return pools;
}

function generateOutlets(settings: SimulationSettings, rng: Random): Network['outlets'] {
  return allocateOutlets(settings.outlets).flatMap(({ city, count }) =>
    Array.from({ length: count }, (_, i) => {
      // The network was staffed for the load each outlet had when the year began.
      const load = settings.ordersPerOutletPerDay * rng.lognormal(1, 0.4);
      return {
        id: `${city.code}-${String(i + 1).padStart(2, '0')}`,
        name: `${city.name} ${i + 1}`,
        regionId: city.region,
        technicians: Math.min(12, Math.max(2, Math.ceil(load / ORDERS_PER_TECHNICIAN_DAY))),
        lat: round(city.lat + rng.uniform(-0.08, 0.08), 4),
        lon: round(city.lon + rng.uniform(-0.08, 0.08), 4),
      };
    }),
  );
}

/**
 * One outlet in every city (or, for a small network, in each region's largest city), then the
 * rest in proportion to city size by highest averages, as seats in a parliament.
 */
function allocateOutlets(total: number): Array<{ city: City; count: number }> {
  const counts = new Map<City, number>(CITIES.map((city) => [city, 0]));
  const regionCapitals = REGIONS.flatMap(({ id }) => CITIES.filter((city) => city.region === id).sort((a, b) => b.size - a.size).slice(0, 1));
  const firsts = total >= CITIES.length ? CITIES : regionCapitals.slice(0, total);
  for (const city of firsts) counts.set(city, 1);
  for (let given = firsts.length; given < total; given += 1) {
    let best = CITIES[0] as City;
    for (const city of CITIES) {
      if (city.size / ((counts.get(city) ?? 0) + 1) > best.size / ((counts.get(best) ?? 0) + 1)) best = city;
    }
    counts.set(best, (counts.get(best) ?? 0) + 1);
  }
  return CITIES.map((city) => ({ city, count: counts.get(city) ?? 0 })).filter(({ count }) => count > 0);
}

function generateParts(settings: SimulationSettings, rng: Random): Network['parts'] {
  const shareTotal = PRODUCT_LINES.reduce((sum, line) => sum + line.orderShare, 0);
  return PRODUCT_LINES.flatMap((line, l) => {
    const count = Math.max(1, Math.round((settings.parts * line.orderShare) / shareTotal));
    return Array.from({ length: count }, (_, i) => {
      const word = line.partWords[i % line.partWords.length] as string;
      const variant = `${String.fromCharCode(65 + rng.int(0, 7))}${rng.int(10, 99)}`;
      return {
        partNo: `P-${l + 1}${String(i + 1).padStart(4, '0')}`,
        name: `${line.partLabel} ${word} ${variant}`,
        source: rng.bernoulli(settings.hqStockShare) ? ('hq_stock' as const) : ('hq_procured' as const),
        unitCost: round(rng.lognormal(line.partCost, 0.8), 2),
      };
    });
  });
}

function generateDevices(settings: SimulationSettings, outlets: Network['outlets'], rng: Random): Network['devices'] {
  const device = (model: MonitoredModel, n: number) => {
    const outlet = rng.pick(outlets);
    return {
      id: `${model.devicePrefix}-${String(n).padStart(3, '0')}`,
      modelId: model.id,
      outletId: outlet.id,
      customerId: customerId(outlet.id, rng.int(1, outlet.technicians * CUSTOMERS_PER_TECHNICIAN)),
    };
  };
  return [
    ...Array.from({ length: ENGINE_COUNT }, (_, i) => device(ENGINE_MODEL, i + 1)),
    ...FLEET_MODELS.flatMap((model) => Array.from({ length: settings.devicesPerModel }, (_, i) => device(model, i + 1))),
  ];
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
