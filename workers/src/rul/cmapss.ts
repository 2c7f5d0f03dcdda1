import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RulFlight } from '@servicetower/domain';

/** workers/src/rul is three levels below the repository root. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const COLUMNS = ['unit', 'cycle', 'op1', 'op2', 'op3', ...Array.from({ length: 21 }, (_, i) => `s${i + 1}`)];

const NASA_SOURCE =
  'NASA publishes it as the "Turbofan Engine Degradation Simulation" data set in the Prognostics Center of Excellence data set repository';

/** A C-MAPSS folder (the `CMAPSS_DIR` setting) resolved against the repository root, whatever the working folder. */
export function resolveCmapssDir(dir: string): string {
  return resolve(REPO_ROOT, dir);
}

/** One C-MAPSS file: its engines in unit order, each with its flights in cycle order, and a hash of the text. */
export interface CmapssFile {
  path: string;
  sha256: string;
  engines: { unit: number; flights: RulFlight[] }[];
}

/** Reads `unit cycle op1 op2 op3 s1 … s21` rows; a missing file or a bad line says what to do. */
export async function readCmapssFile(path: string): Promise<CmapssFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(`C-MAPSS file ${path} not found: ${NASA_SOURCE}; put it there or set CMAPSS_DIR to the folder that holds it.`);
  }
  const engines = new Map<number, RulFlight[]>();
  text.split('\n').forEach((line, i) => {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '') return;
    const numbers = fields.map(Number);
    if (numbers.length !== COLUMNS.length || numbers.some((n) => !Number.isFinite(n))) {
      throw new Error(`${path} line ${i + 1}: expected ${COLUMNS.length} numbers (unit, cycle, 3 settings, 21 sensors), got "${line.trim()}".`);
    }
    const values: Record<string, number> = {};
    COLUMNS.forEach((name, j) => {
      if (j > 1) values[name] = numbers[j]!;
    });
    const unit = numbers[0]!;
    const flights = engines.get(unit) ?? [];
    flights.push({ cycle: numbers[1]!, values });
    engines.set(unit, flights);
  });
  return {
    path,
    sha256: createHash('sha256').update(text).digest('hex'),
    engines: [...engines.entries()]
      .sort(([a], [b]) => a - b)
      .map(([unit, flights]) => ({ unit, flights: flights.sort((a, b) => a.cycle - b.cycle) })),
  };
}

/** `RUL_FD001.txt`: one number per line, the true remaining cycles of each test engine in unit order. */
export async function readTrueRul(path: string): Promise<number[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(`C-MAPSS truth file ${path} not found: give --truth FILE or set CMAPSS_DIR to the folder that holds it.`);
  }
  return text.split('\n').map((line) => line.trim()).filter(Boolean).map((line, i) => {
    const value = Number(line);
    if (!Number.isFinite(value)) throw new Error(`${path} line ${i + 1}: expected a number of cycles, got "${line}".`);
    return value;
  });
}
