import { createServer, type Server } from 'node:http';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface WorkerMetrics {
  registry: Registry;
  stored: Counter<'stream'>;
  jobs: Counter<'queue' | 'outcome'>;
  jobDuration: Histogram<'queue'>;
  jobLatency: Histogram<'queue'>;
}

export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'servicetower_worker_' });
  return {
    registry,
    stored: new Counter({ name: 'servicetower_records_stored_total', help: 'Records written to the database (duplicates excluded), by stream', labelNames: ['stream'], registers: [registry] }),
    jobs: new Counter({ name: 'servicetower_jobs_total', help: 'Jobs processed, by queue and outcome', labelNames: ['queue', 'outcome'], registers: [registry] }),
    jobDuration: new Histogram({ name: 'servicetower_job_duration_seconds', help: 'Time a worker spent on a job', labelNames: ['queue'], registers: [registry], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] }),
    jobLatency: new Histogram({ name: 'servicetower_job_latency_seconds', help: 'Time from enqueue to written', labelNames: ['queue'], registers: [registry], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] }),
  };
}

/** Serves GET /metrics for Prometheus; port 0 picks a free port. */
export async function serveMetrics(registry: Registry, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return server;
}
