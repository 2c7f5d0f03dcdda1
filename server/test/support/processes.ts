import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Config } from '@servicetower/domain';

/** A TCP port free on loopback just now, for a server a test starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OUTPUT_TAIL_CHARS = 64 * 1024;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One real ServiceTower process (API or workers) started from its TypeScript entry with tsx. */
export interface NodeProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves once the process has exited, however it ended. */
  readonly exited: Promise<Exit>;
  /** The last things it wrote to stdout and stderr, to explain a failure. */
  output(): string;
  /** Resolves with the first match of `pattern` in its output; rejects if it exits or the time runs out first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` and resolves once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<Exit>;
}

/**
 * The environment a ServiceTower process reads its settings from: the test's loaded config
 * written back as variables, plus overrides. Nothing else of the test runner's environment
 * leaks in, so the child runs exactly as configured.
 */
export function configEnv(config: Config, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const settings = Object.fromEntries(Object.entries(config).map(([name, value]) => [name, String(value)]));
  const inherited = Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
  return { ...inherited, ...settings, ...overrides };
}

/**
 * Children a test file starts; `stopAll` (in afterAll) ends whichever are still running, and
 * a test runner that exits early takes them down with it.
 */
export class ProcessGroup {
  private readonly running = new Set<ChildProcess>();
  private readonly killOnExit = () => {
    for (const child of this.running) child.kill('SIGKILL');
  };

  constructor() {
    process.once('exit', this.killOnExit);
  }

  /** Starts `node --import tsx <entry>` from the repository root, e.g. entry = 'workers/src/main.ts'. */
  start(name: string, entry: string, env: NodeJS.ProcessEnv): NodeProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) throw new Error(`${name} (${entry}) did not start`);
    this.running.add(child);
    let tail = '';
    const listeners = new Set<() => void>();
    const record = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
      for (const listener of listeners) listener();
    };
    child.stdout!.on('data', record);
    child.stderr!.on('data', record);
    const exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        this.running.delete(child);
        resolve({ code, signal });
        for (const listener of listeners) listener();
      });
    });
    const pid = child.pid;

    return {
      name,
      pid,
      exited,
      output: () => tail,
      waitForOutput(pattern, timeoutMs = 30_000) {
        return new Promise((resolve, reject) => {
          const check = () => {
            const match = tail.match(pattern);
            if (match) finish(() => resolve(match));
            else if (child.exitCode !== null || child.signalCode !== null) {
              finish(() => reject(new Error(`${name} exited before writing ${String(pattern)}:\n${tail}`)));
            }
          };
          const timer = setTimeout(() => finish(() => reject(new Error(`${name} did not write ${String(pattern)} within ${timeoutMs} ms:\n${tail}`))), timeoutMs);
          const finish = (settle: () => void) => {
            clearTimeout(timer);
            listeners.delete(check);
            settle();
          };
          listeners.add(check);
          check();
        });
      },
      kill(signal) {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
    };
  }

  /** Asks every running child to stop (SIGTERM), then kills what is left after `graceMs`. */
  async stopAll(graceMs = 5000): Promise<void> {
    const children = [...this.running];
    const gone = children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    }));
    for (const child of children) child.kill('SIGTERM');
    const timer = setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), graceMs);
    await Promise.all(gone);
    clearTimeout(timer);
    process.removeListener('exit', this.killOnExit);
  }
}

/** Resident memory of a process, in bytes: `now` (VmRSS) and `peak` (VmHWM, since start or the last resetPeakRss). */
export async function residentMemory(pid: number): Promise<{ now: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) * 1024;
  };
  return { now: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Resets the process's peak resident memory (VmHWM) to its current size (Linux: clear_refs 5). */
export async function resetPeakRss(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}
