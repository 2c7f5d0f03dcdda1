/**
 * npm run bench [-- --quick] [-- --only ingest,events] — every suite, one table. See bench/README.md and docs/performance.md.
 *
 * Runs each suite as a child process, one after the other so that each has the machine to itself:
 *   ingest     telemetry readings/s end to end, beside raw COPY of the same readings          (bench/ingest.ts)
 *   events     service-order, parts and complaint events/s end to end, beside raw COPY         (bench/events.ts)
 *   queries    p50/p95 of every KPI route on simulated history, beside the route stack's floor (bench/queries.ts)
 *   telemetry  p50/p95 of the series route, beside the same floor over HTTP; ingest-to-browser lag with
 *              200 WebSocket subscribers at half the rate the ingest suite sustained, beside the idle lag (bench/telemetry.ts)
 * and every suite's peak API and worker memory. Each suite writes its JSON to a temporary file; this script
 * gathers them into one table, prints it, and writes it to
 * bench/results/bench-<UTC time>-<cores>c-<GiB>g-pg<version>-redis<version>[-quick].{json,md}.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, fileStamp, machineLine, ROOT, type Machine } from './support.js';

const SUITES = ['ingest', 'events', 'queries', 'telemetry'] as const;
type Suite = (typeof SUITES)[number];
const USAGE = `npm run bench -- [--quick] [--only ${SUITES.join(',')}]`;

/** What --quick leaves out, for the table's notes (each suite's --quick: bench/README.md). */
const QUICK_LEAVES_OUT = [
  'ingest: 200,000 readings instead of 1,000,000; COPY then fills a smaller, cache-resident index, so the quick ratio comes out lower.',
  'events: 1 month of 20 outlets (about 16,000 events) instead of 3 months of 80 (about 220,000).',
  'queries: 13 months of 80 outlets if a run left them loaded, else 2 months of 10 (not three years); 5 timed requests per route ' +
    'after 1 warm-up instead of 40 after 5, so p95 is close to the maximum of five; no daily briefing job.',
  'series: the 30-day series if a run left it loaded, else one day; 10 timed requests per case after 2 warm-ups instead of 30 after 5.',
  'live: 5 s of load instead of 30 s.',
];

function readOptions() {
  try {
    const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
    const only = values.only?.split(',').map((s) => s.trim()) ?? [...SUITES];
    const unknown = only.filter((s) => !(SUITES as readonly string[]).includes(s));
    if (unknown.length > 0) throw new Error(`--only takes suites among ${SUITES.join(', ')} (got ${unknown.join(', ')}).`);
    return { quick: values.quick!, suites: SUITES.filter((s) => only.includes(s)) };
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: ${USAGE}`);
    return process.exit(2);
  }
}
const opts = readOptions();

// The parts of each suite's JSON that the table reads (the files hold more).
interface IngestResult {
  options: { readings: number };
  rawCopy: { readingsPerSecond: number }; endToEnd: { readingsPerSecond: number }; ratio: number; memoryMiB: Record<string, number | null>;
}
interface EventsResult {
  options: { months: number; outlets: number };
  events: { unique: number; sent: number }; rawCopy: { eventsPerSecond: number }; endToEnd: { eventsPerSecond: number }; ratio: number;
  exactlyOnce: { ok: boolean }; memoryMiB: Record<string, number | null>;
}
interface Timed { p50: number; p95: number }
interface QueriesResult {
  options: { months: number; outlets: number; runs: number };
  floor: Timed; results: Array<Timed & { route: string; scale: string }>; memoryMiB: Record<string, number | null>;
}
interface TelemetryResult {
  options: { days: number; runs: number };
  seriesFloor: Timed; series: Array<Timed & { case: string }>;
  live: { subscribers: number; devices: number; rateAsked: number; readingsPerSecond: number; p50: number; p95: number; max: number; idle: { p50: number; p95: number; max: number } };
  memoryMiB: Record<string, number | null>;
}
interface Results { ingest: IngestResult; events: EventsResult; queries: QueriesResult; telemetry: TelemetryResult }

interface SuiteRun {
  suite: Suite;
  command: string;
  exitCode: number | null;
  seconds: number;
  /** 1-minute load average when the suite ended. */
  loadAverage1m: number;
  result: Results[Suite] | null;
}

/** Runs `bench/<suite>.ts` as a child process with its output on this terminal; its JSON comes back through --out. */
async function runSuite(suite: Suite, args: string[], dir: string): Promise<SuiteRun> {
  const out = join(dir, `${suite}.json`);
  const command = `npx tsx bench/${suite}.ts ${args.join(' ')}`.trim();
  console.log(`\n━━ ${suite}: ${command}\n`);
  const began = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', `bench/${suite}.ts`, ...args, '--out', out], { cwd: ROOT, stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number | null];
  const result = code === 0 && existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Results[Suite]) : null;
  return { suite, command, exitCode: code, seconds: Math.round((performance.now() - began) / 1000), loadAverage1m: round2(os.loadavg()[0]!), result };
}

/** Each suite's arguments. Full runs measure kept histories again (--reuse) and load them the first time. */
function argsOf(suite: Suite, runs: Partial<Record<Suite, SuiteRun>>): string[] {
  const base = opts.quick ? ['--quick'] : suite === 'queries' || suite === 'telemetry' ? ['--reuse'] : [];
  if (suite !== 'telemetry') return base;
  // Live load at half the rate the ingest suite sustained in this run (the suite's own default without it).
  const sustained = (runs.ingest?.result as IngestResult | undefined)?.endToEnd.readingsPerSecond;
  return sustained ? [...base, '--rate', String(Math.round(sustained / 2))] : base;
}

interface Row { suite: string; figure: string; measured: string; limit: string; aim: string; met: boolean | null }

const n = (x: number) => Math.round(x).toLocaleString('en');
const ms = (t: Timed) => `${t.p50.toFixed(1)} / ${t.p95.toFixed(1)} ms`;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** The one table: every figure beside the limit measured in the same run, its aim, and whether it met it. */
function tableRows(runs: SuiteRun[], machine: Machine): Row[] {
  const rows: Row[] = [];
  for (const run of runs) {
    if (!run.result) {
      rows.push({ suite: run.suite, figure: `failed (exit code ${run.exitCode}): its output above says why`, measured: '—', limit: '—', aim: '—', met: false });
      continue;
    }
    if (run.suite === 'ingest') {
      const r = run.result as IngestResult;
      rows.push({
        suite: 'ingest, telemetry', figure: `readings/s end to end (${n(r.options.readings)} readings)`, measured: `${n(r.endToEnd.readingsPerSecond)} (ratio ${r.ratio})`,
        limit: `${n(r.rawCopy.readingsPerSecond)} raw COPY`, aim: '≥ 150,000, ratio ≥ 0.5', met: r.endToEnd.readingsPerSecond >= 150_000 && r.ratio >= 0.5,
      });
    }
    if (run.suite === 'events') {
      const r = run.result as EventsResult;
      rows.push({
        suite: 'ingest, events', figure: `events/s end to end (${n(r.events.unique)} events, ${n(r.events.sent)} sent; stored exactly once: ${r.exactlyOnce.ok ? 'yes' : 'no'})`,
        measured: `${n(r.endToEnd.eventsPerSecond)} (ratio ${r.ratio})`, limit: `${n(r.rawCopy.eventsPerSecond)} raw COPY into the fact tables`,
        aim: '≥ 20,000', met: r.endToEnd.eventsPerSecond >= 20_000 && r.exactlyOnce.ok,
      });
    }
    if (run.suite === 'queries') {
      const r = run.result as QueriesResult;
      const suite = `queries, ${r.options.months} months × ${r.options.outlets} outlets`;
      for (const q of r.results) {
        rows.push({ suite, figure: `${q.route}, ${q.scale} (p50 / p95)`, measured: ms(q), limit: `${ms(r.floor)} floor`, aim: 'p95 ≤ 100 ms', met: q.p95 <= 100 });
      }
    }
    if (run.suite === 'telemetry') {
      const r = run.result as TelemetryResult;
      for (const s of r.series) {
        rows.push({ suite: 'queries, series', figure: `${s.case} (p50 / p95)`, measured: ms(s), limit: `${ms(r.seriesFloor)} floor`, aim: 'p95 ≤ 150 ms', met: s.p95 <= 150 });
      }
      const { live } = r;
      rows.push({
        suite: 'live',
        figure: `ingest → browser lag, ${live.subscribers} subscribers on ${live.devices} devices, ${n(live.readingsPerSecond)} readings/s ` +
          `(${n(live.rateAsked)} asked; p50 / p95 / max)`,
        measured: `${n(live.p50)} / ${n(live.p95)} / ${n(live.max)} ms`, limit: `${n(live.idle.p50)} / ${n(live.idle.p95)} / ${n(live.idle.max)} ms idle`,
        aim: 'p95 < 1 s', met: live.p95 < 1000,
      });
    }
  }
  for (const run of runs) {
    const memory = (run.result as { memoryMiB?: Record<string, number | null> } | null)?.memoryMiB;
    if (!memory) continue;
    rows.push({
      suite: 'memory', figure: `peak resident memory (VmHWM), ${run.suite} suite`,
      measured: Object.entries(memory).map(([name, mib]) => `${name} ${mib ?? '?'} MiB`).join(', '), limit: `${machine.memoryGiB} GiB RAM`, aim: '—', met: null,
    });
  }
  return rows;
}

const cellText = (text: string) => text.replace(/\|/g, '\\|');
function markdownTable(rows: Row[]): string {
  const met = (ok: boolean | null) => (ok === null ? '' : ok ? 'yes' : '**no**');
  return ['| suite | figure | measured | limit, same run | aim | met |', '| --- | --- | ---: | ---: | --- | --- |',
    ...rows.map((r) => `| ${[r.suite, r.figure, r.measured, r.limit, r.aim, met(r.met)].map(cellText).join(' | ')} |`)].join('\n');
}

async function main(): Promise<number> {
  const began = performance.now();
  const date = new Date();
  const loadAtStart = round2(os.loadavg()[0]!);
  const dir = mkdtempSync(join(os.tmpdir(), 'st-bench-run-'));
  const runs: Partial<Record<Suite, SuiteRun>> = {};
  let interrupted = false;
  process.on('SIGINT', () => (interrupted = true)); // the suite running gets it too, cleans up and ends; then this stops
  try {
    for (const suite of opts.suites) {
      if (interrupted) break;
      runs[suite] = await runSuite(suite, argsOf(suite, runs), dir);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (interrupted) return 130;

  const machine = await describeMachine().catch((error: unknown): Machine => {
    console.error(`Could not ask PostgreSQL and Redis their versions (${String(error)}): the file name says "unknown".`);
    const memoryGiB = Math.round(os.totalmem() / 2 ** 30);
    return { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?', memoryGiB, loadAverage1m: 0, postgresql: 'unknown', storage: '?', redis: 'unknown', node: process.version };
  });
  machine.loadAverage1m = round2(os.loadavg()[0]!);
  const done = opts.suites.map((s) => runs[s]!);
  const rows = tableRows(done, machine);
  const wallSeconds = Math.round((performance.now() - began) / 1000);
  const flags = [...(opts.quick ? ['--quick'] : []), ...(opts.suites.length < SUITES.length ? ['--only', opts.suites.join(',')] : [])];
  const command = `npm run bench${flags.length > 0 ? ` -- ${flags.join(' ')}` : ''}`;
  const table = markdownTable(rows);
  const markdown = [
    `# ServiceTower benchmarks, ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC${opts.quick ? ' (quick)' : ''}`,
    '',
    `\`${command}\`, ${wallSeconds} s in all.`,
    '',
    `Machine: ${machineLine(machine)}.`,
    `Load average (1 min): ${loadAtStart} at the start, ${machine.loadAverage1m} at the end; after each suite: ` +
      `${done.map((r) => `${r.suite} ${r.loadAverage1m} (${r.seconds} s)`).join(', ')}. ` +
      `A load above ${machine.cores} (the cores) means something else shared the machine: the figures are then low.`,
    '',
    table,
    '',
    'Limits: raw COPY of the same rows into the same tables (ingest); a one-row read through the same route stack, ' +
      'in process for the KPI routes and over HTTP for the series (queries); the same lag for single readings on an idle stack (live). ' +
      'See docs/performance.md.',
    ...(opts.quick ? ['', 'Quick run; it leaves out:', '', ...QUICK_LEAVES_OUT.map((line) => `- ${line}`)] : []),
    '',
    'Suites:',
    '',
    ...done.map((r) => `- \`${r.command}\`: ${r.exitCode === 0 ? 'ok' : `failed (exit code ${r.exitCode})`}, ${r.seconds} s`),
    '',
  ].join('\n');

  const name = `bench-${fileStamp(date)}-${machine.cores}c-${machine.memoryGiB}g-pg${machine.postgresql.split(' ')[0]}-redis${machine.redis}` +
    `${machine.storage === 'timescaledb' ? '-timescaledb' : ''}${opts.quick ? '-quick' : ''}`;
  const results = join(ROOT, 'bench', 'results');
  mkdirSync(results, { recursive: true });
  const json = { date: date.toISOString(), command, quick: opts.quick, wallSeconds, machine, loadAverage1m: { start: loadAtStart, end: machine.loadAverage1m }, table: rows, suites: done };
  writeFileSync(join(results, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(results, `${name}.md`), markdown);
  console.log(`\n${markdown}\nwritten to ${relative(ROOT, join(results, name))}.{json,md}`);
  return done.every((r) => r.exitCode === 0) ? 0 : 1;
}

process.exitCode = await main();
