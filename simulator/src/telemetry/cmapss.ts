import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TelemetryRecord } from '@servicetower/domain';
import { telemetryRecords } from './devices.js';

/** One flight of a C-MAPSS engine: the row `unit cycle op1 op2 op3 s1 … s21` of the data files. */
export interface EngineCycle {
  cycle: number;
  settings: [number, number, number];
  /** s1 … s21, in the order of the files. */
  sensors: number[];
}

export interface CmapssEngine {
  unit: number;
  cycles: EngineCycle[];
}

const SETTINGS = 3;
const SENSORS = 21;
const COLUMNS = 2 + SETTINGS + SENSORS;

const NASA_SOURCE =
  'NASA publishes it as the "Turbofan Engine Degradation Simulation" data set in the Prognostics Center of Excellence ' +
  'data set repository (https://www.nasa.gov/intelligent-systems-division/discovery-and-systems-health/pcoe/pcoe-data-set-repository/)';

/** simulator/src/telemetry is three levels below the repository root. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `CMAPSS_DIR` when set, else `../shared/data/cmapss`; both relative to the repository root, whatever the working folder. */
export function defaultCmapssDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(REPO_ROOT, env.CMAPSS_DIR || '../shared/data/cmapss');
}

/** The engines of one C-MAPSS file, in unit order, each with its cycles in order. */
export async function readCmapss(dir: string, file = 'train_FD001.txt'): Promise<CmapssEngine[]> {
  const path = resolve(dir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(`C-MAPSS file ${path} not found: ${NASA_SOURCE}; put ${file} in that folder or set CMAPSS_DIR to the folder that holds it.`);
  }
  return parseCmapss(text, file);
}

function parseCmapss(text: string, file: string): CmapssEngine[] {
  const engines = new Map<number, CmapssEngine>();
  text.split('\n').forEach((line, i) => {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '') return;
    const numbers = fields.map(Number);
    if (numbers.length !== COLUMNS || numbers.some((n) => !Number.isFinite(n))) {
      throw new Error(`${file} line ${i + 1}: expected ${COLUMNS} numbers (unit, cycle, 3 settings, 21 sensors), got "${line.trim()}".`);
    }
    const [unit, cycle, op1, op2, op3] = numbers as [number, number, number, number, number];
    let engine = engines.get(unit);
    if (!engine) engines.set(unit, (engine = { unit, cycles: [] }));
    engine.cycles.push({ cycle, settings: [op1, op2, op3], sensors: numbers.slice(2 + SETTINGS) });
  });
  return [...engines.values()].sort((a, b) => a.unit - b.unit);
}

/** The device that replays FD001 unit `unit`: eng-001 … eng-100, as the network names its engines. */
export function engineDeviceId(unit: number): string {
  return `eng-${String(unit).padStart(3, '0')}`;
}

export interface EngineTelemetryOptions {
  /** When cycle 1 flew; cycle n flies at start + (n − 1) × flightEveryMs. */
  start: number;
  flightEveryMs: number;
  /** First and last cycle sent, both included; default the whole run. */
  fromCycle?: number;
  toCycle?: number;
  samplesPerRecord?: number;
}

/**
 * One sample per flight with the file's numbers untouched: `cycle`, `op1`…`op3` (operating settings) and
 * `s1`…`s21`. JSON keeps every digit the file has, so the product sees the data researchers see.
 */
export function engineTelemetry(engine: CmapssEngine, deviceId: string, options: EngineTelemetryOptions): TelemetryRecord[] {
  const { start, flightEveryMs, fromCycle = 1, toCycle = Number.POSITIVE_INFINITY } = options;
  const readings = engine.cycles
    .filter(({ cycle }) => cycle >= fromCycle && cycle <= toCycle)
    .map(({ cycle, settings, sensors }) => ({
      at: new Date(start + (cycle - 1) * flightEveryMs).toISOString(),
      values: flightValues(cycle, settings, sensors),
    }));
  return telemetryRecords(deviceId, readings, options.samplesPerRecord);
}

function flightValues(cycle: number, settings: EngineCycle['settings'], sensors: number[]): Record<string, number> {
  const values: Record<string, number> = { cycle };
  settings.forEach((value, i) => (values[`op${i + 1}`] = value));
  sensors.forEach((value, i) => (values[`s${i + 1}`] = value));
  return values;
}

/** Live replay: cycle `fromCycle` lands at `startedAt`, then one more every `flightEveryMs` of wall time. */
export interface ReplaySchedule {
  startedAt: number;
  flightEveryMs: number;
  fromCycle: number;
}

/** The last cycle whose flight has landed by `at`; `fromCycle − 1` before the first has. */
export function lastCycleDue(schedule: ReplaySchedule, at: number): number {
  const { startedAt, flightEveryMs, fromCycle } = schedule;
  if (at < startedAt) return fromCycle - 1;
  return fromCycle + Math.floor((at - startedAt) / flightEveryMs);
}

/**
 * What one live tick sends for an engine: the flights that landed after `since` and by `until`,
 * stamped with the wall time they landed. An engine that has run to failure sends nothing more.
 */
export function replayTelemetry(
  engine: CmapssEngine, deviceId: string, schedule: ReplaySchedule, since: number, until: number,
): TelemetryRecord[] {
  return engineTelemetry(engine, deviceId, {
    start: schedule.startedAt - (schedule.fromCycle - 1) * schedule.flightEveryMs,
    flightEveryMs: schedule.flightEveryMs,
    fromCycle: lastCycleDue(schedule, since) + 1,
    toCycle: lastCycleDue(schedule, until),
  });
}
