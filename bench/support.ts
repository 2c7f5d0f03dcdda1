/** What the benchmarks share: the API and workers as child processes, a free port, polling, and a lean HTTP POST. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Child processes of the repo's scripts; one ending before `stopAll` is a failure the next `waitFor` reports. */
export class Children {
  private readonly children: ChildProcess[] = [];
  private stopping = false;
  failure: Error | null = null;

  start(script: string, env: Record<string, string>): ChildProcess {
    // `node --import tsx` is `tsx` without its wrapper process, so the pid is the one doing the work.
    // BENCH_CPU_PROF=<dir>: each child writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.failure = new Error(`${script} ended early (${code ?? signal}): its output above says why.`);
    });
    this.children.push(child);
    return child;
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.children.map(stopChild));
  }

  /** Polls `check` every 100 ms until it holds; throws when a child ended early or the time is up. */
  async waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    for (const deadline = Date.now() + timeoutMs; !(await check()); await sleep(100)) {
      if (this.failure) throw this.failure;
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}.`);
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
  child.kill('SIGTERM');
  await once(child, 'exit');
  clearTimeout(kill);
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// node:http rather than fetch: half the client CPU, which on a small machine is taken from the system measured.
const agent = new http.Agent({ keepAlive: true });
export function post(url: string, key: string, body: string): Promise<{ status: number; retryAfter: number; text: string }> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: Number(response.headers['retry-after'] ?? 1), text }));
    });
    request.on('error', reject).end(body);
  });
}

/** The value at fraction p of an ascending list (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
