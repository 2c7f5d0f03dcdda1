import type { SensorDefinition, TelemetryRecord } from '@servicetower/domain';
import type { DeviceFault, Network } from '../types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The contract's cap on samples in one record (TelemetryRecord's `readings.maxItems`). */
const MAX_SAMPLES_PER_RECORD = 10_000;

/** Healthy devices of a model differ by up to this share of the envelope: each has a baseline of its own. */
const DEVICE_SPREAD = 0.03;
/** Daily swing, as a share of the envelope, of the sensors that follow the heat of the day. */
const DAILY_SWING = 0.08;
const PEAK_HOUR = 15;
/** Temperatures follow the day, and fans follow the heat; counters, voltages and rates hold their level. */
const DAILY_UNITS = new Set(['°C', '°F', 'K', '°R', 'rpm']);
/** Noise of a sensor whose model states none, as a share of the envelope. */
const DEFAULT_NOISE = 0.01;
/** A fully developed fault sits this share of the envelope beyond its edge. */
const OVERSHOOT = 0.1;
/** Share of the way from drift start to order at which every sample has left the envelope. */
const EXIT = 0.8;
/** A proactive order is a planned visit: the repair comes this long after it is opened. */
const REPAIR_AFTER_MS = 2 * DAY;

/**
 * A sensor as the simulator plays it: its envelope and, where the model states them, its healthy
 * level, its noise (standard deviation) and the way a fault drives it (1 up, −1 down).
 */
export interface SimulatedSensor extends SensorDefinition {
  nominal?: number;
  noise?: number;
  drift?: 1 | -1 | 0;
}

export interface SimulatedModel {
  id: string;
  sensors: readonly SimulatedSensor[];
}

type Device = Network['devices'][number];

export interface DeviceTelemetryOptions {
  /** Samples fall on multiples of `everyMs` in [from, to), so consecutive windows neither overlap nor leave gaps. */
  from: number;
  to: number;
  everyMs: number;
  /** Uniform draws in [0, 1); the same sequence gives the same values. */
  next: () => number;
  /** IANA zone whose afternoon is the warmest hour of the day; default UTC. */
  timeZone?: string;
  samplesPerRecord?: number;
}

type Sample = TelemetryRecord['readings'][number];

/**
 * A device's sensors from `from` to `to`: each sensor near its healthy level inside its envelope,
 * and each fault of the device drifting its sensor out of the envelope before the proactive order
 * is opened, back to healthy once the device is repaired.
 */
export function deviceTelemetry(
  device: Device, model: SimulatedModel, faults: readonly DeviceFault[], options: DeviceTelemetryOptions,
): TelemetryRecord[] {
  const { from, to, everyMs, next, timeZone = 'UTC' } = options;
  if (!Number.isInteger(everyMs) || everyMs < 1) throw new RangeError(`everyMs must be a whole number of milliseconds above 0, got ${everyMs}`);
  const own = faultsOf(device, model, faults);
  const signals = model.sensors.map((sensor) => sensorSignal(device.id, sensor, own.filter((fault) => fault.sensor === sensor.name)));
  // One offset for the window: a daylight-saving shift moves the daily swing by an hour, lost in the noise.
  const peakAt = PEAK_HOUR * HOUR - utcOffsetMs(timeZone, from);
  const readings: Sample[] = [];
  for (let at = Math.ceil(from / everyMs) * everyMs; at < to; at += everyMs) {
    const phase = (2 * Math.PI * (at - peakAt)) / DAY;
    const values: Record<string, number> = {};
    for (const signal of signals) values[signal.name] = signalValue(signal, at, Math.cos(phase), gaussian(next));
    readings.push({ at: new Date(at).toISOString(), values });
  }
  return telemetryRecords(device.id, readings, options.samplesPerRecord);
}

export interface Fleet {
  devices: readonly Device[];
  /** The models simulated here; devices of other models (the engines replaying C-MAPSS) are left out. */
  models: readonly SimulatedModel[];
  faults: readonly DeviceFault[];
}

/** Every simulated device of the fleet over one window, device by device in the fleet's order. */
export function fleetTelemetry(fleet: Fleet, options: DeviceTelemetryOptions): TelemetryRecord[] {
  const models = new Map(fleet.models.map((model) => [model.id, model]));
  return fleet.devices.flatMap((device) => {
    const model = models.get(device.modelId);
    return model ? deviceTelemetry(device, model, fleet.faults, options) : [];
  });
}

export type LiveTelemetryOptions = Omit<DeviceTelemetryOptions, 'everyMs'> & { samplesPerMinute: number };

/** One live tick: the fleet's samples in [from, to) at `samplesPerMinute` per device. */
export function liveTelemetry(fleet: Fleet, options: LiveTelemetryOptions): TelemetryRecord[] {
  const { samplesPerMinute, ...window } = options;
  if (!(samplesPerMinute > 0 && samplesPerMinute <= MINUTE)) {
    throw new RangeError(`samplesPerMinute must be above 0 and at most ${MINUTE}, got ${samplesPerMinute}`);
  }
  return fleetTelemetry(fleet, { ...window, everyMs: Math.round(MINUTE / samplesPerMinute) });
}

/** A device's samples cut into records the contract accepts, in time order. */
export function telemetryRecords(deviceId: string, readings: Sample[], samplesPerRecord = MAX_SAMPLES_PER_RECORD): TelemetryRecord[] {
  if (!Number.isInteger(samplesPerRecord) || samplesPerRecord < 1 || samplesPerRecord > MAX_SAMPLES_PER_RECORD) {
    throw new RangeError(`samplesPerRecord must be a whole number from 1 to ${MAX_SAMPLES_PER_RECORD}, got ${samplesPerRecord}`);
  }
  const records: TelemetryRecord[] = [];
  for (let i = 0; i < readings.length; i += samplesPerRecord) {
    records.push({ deviceId, readings: readings.slice(i, i + samplesPerRecord) });
  }
  return records;
}

/** A fault as its sensor plays it: the weight of the faulty value rises from `startsAt` and drops at `repairedAt`. */
interface FaultRamp {
  startsAt: number;
  orderAt: number;
  repairedAt: number;
  /** Weight at which even the least favourable healthy sample lands outside the envelope. */
  exitWeight: number;
}

interface SensorSignal {
  name: string;
  level: number;
  swing: number;
  noise: number;
  faultLevel: number;
  faultNoise: number;
  /** 10 to the decimals kept: about four significant digits of the envelope, as much as a sensor tells. */
  precision: number;
  faults: FaultRamp[];
}

function faultsOf(device: Device, model: SimulatedModel, faults: readonly DeviceFault[]): DeviceFault[] {
  const own = faults.filter((fault) => fault.deviceId === device.id);
  const unknown = own.find((fault) => !model.sensors.some((sensor) => sensor.name === fault.sensor));
  if (unknown) throw new Error(`fault of device ${device.id} names sensor "${unknown.sensor}", which model ${model.id} does not define`);
  return own;
}

/**
 * The healthy level, swing and noise of one device's sensor, scaled so that the level ± swing ± 3
 * noise stays inside the envelope, and where its faults take it.
 */
function sensorSignal(deviceId: string, sensor: SimulatedSensor, faults: DeviceFault[]): SensorSignal {
  const { min, max } = sensor;
  const width = max - min;
  const baseline = (sensor.nominal ?? (min + max) / 2) + (stableShare(`${deviceId}/${sensor.name}`) - 0.5) * 2 * DEVICE_SPREAD * width;
  const level = Math.min(max, Math.max(min, baseline));
  const room = 0.9 * Math.min(level - min, max - level);
  const swing = DAILY_UNITS.has(sensor.unit) ? DAILY_SWING * width : 0;
  const noise = sensor.noise ?? DEFAULT_NOISE * width;
  const fit = Math.min(1, room / (swing + 3 * noise || 1));
  // Faults drive the sensor the way the model says; a model that says nothing is taken to fail high.
  const direction = sensor.drift === -1 ? -1 : 1;
  const edge = direction > 0 ? max : min;
  const faultNoise = Math.min(noise, (OVERSHOOT * width) / 6);
  const signal = {
    name: sensor.name,
    level,
    swing: swing * fit,
    noise: noise * fit,
    faultLevel: edge + direction * OVERSHOOT * width,
    faultNoise,
    precision: 10 ** Math.min(10, Math.max(0, 3 - Math.floor(Math.log10(width)))),
  };
  const worstHealthy = level - direction * (signal.swing + 3 * signal.noise);
  const worstFaulty = signal.faultLevel - direction * 3 * faultNoise;
  const exitWeight = (edge - worstHealthy) / (worstFaulty - worstHealthy);
  return {
    ...signal,
    faults: faults.map((fault) => ({
      startsAt: fault.driftStartsAt,
      orderAt: fault.orderCreatedAt,
      repairedAt: fault.orderCreatedAt + REPAIR_AFTER_MS,
      exitWeight,
    })),
  };
}

/** The healthy value blended towards the fault level by the strongest fault under way at `at`. */
function signalValue(signal: SensorSignal, at: number, daily: number, z: number): number {
  const healthy = signal.level + signal.swing * daily + signal.noise * z;
  let weight = 0;
  for (const fault of signal.faults) weight = Math.max(weight, faultWeight(fault, at));
  const value = weight === 0 ? healthy : (1 - weight) * healthy + weight * (signal.faultLevel + signal.faultNoise * z);
  return Math.round(value * signal.precision) / signal.precision;
}

/** Slow at first, then faster, as wear does: past EXIT of the way to the order, every sample is outside. */
function faultWeight(fault: FaultRamp, at: number): number {
  if (at < fault.startsAt || at >= fault.repairedAt) return 0;
  const progress = Math.min(1, (at - fault.startsAt) / Math.max(1, fault.orderAt - fault.startsAt));
  return Math.min(1, fault.exitWeight * (progress / EXIT) ** 2);
}

/** A standard normal draw, cut at ±3 so that the envelope can hold the healthy signal for sure. */
function gaussian(next: () => number): number {
  const z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return Math.max(-3, Math.min(3, z));
}

/** A share in [0, 1) fixed by a name (FNV-1a), so a device keeps its baseline from one call to the next. */
function stableShare(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i += 1) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (hash >>> 0) / 4294967296;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** How far `timeZone` is ahead of UTC at `at`. Formats are kept: building one costs more than a day of samples. */
function utcOffsetMs(timeZone: string, at: number): number {
  let format = offsetFormats.get(timeZone);
  if (!format) offsetFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })));
  const name = format.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? '';
  const match = /([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * HOUR + Number(match[3]) * MINUTE);
}
