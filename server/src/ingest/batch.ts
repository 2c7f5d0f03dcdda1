import type { Queue } from 'bullmq';
import {
  compileValidator, countReadings, ingestJobId, STREAMS,
  type FieldError, type IngestJob, type StreamName, type StreamRecord, type TelemetryRecord, type Validator,
} from '@servicetower/domain';
import { checkReferences } from './references.js';
import type { ReferenceCache } from './referenceCache.js';

export interface Rejection {
  /** Position of the record in the batch, from 0. */
  index: number;
  /** Line of the body it came from, for NDJSON and CSV. */
  line?: number;
  errors: FieldError[];
}

export interface BatchSummary {
  batchId: string;
  accepted: number;
  /** The first rejections, up to MAX_LISTED_REJECTIONS; `rejectedCount` counts them all. */
  rejected: Rejection[];
  rejectedCount: number;
}

export const MAX_LISTED_REJECTIONS = 1000;

export interface BatchOptions<S extends StreamName> {
  stream: S;
  batchId: string;
  queue: Queue<IngestJob<S>>;
  references: ReferenceCache;
  /** The key's regions; null: all. */
  regions: readonly string[] | null;
  /** Records (events) or readings (telemetry) per queued job. */
  jobSize: number;
  /** Resolves when the queue has room for another job; throws when it stays full. */
  waitForRoom: () => Promise<void>;
}

const validators = new Map<StreamName, Validator<unknown>>();
function validatorFor<S extends StreamName>(stream: S): Validator<StreamRecord[S]> {
  let validator = validators.get(stream);
  if (!validator) validators.set(stream, (validator = compileValidator(STREAMS[stream].schema)));
  return validator as Validator<StreamRecord[S]>;
}

/**
 * Takes the records of one request one at a time, validates each, and queues the valid
 * ones in jobs of a fixed size as they fill, so that a long upload never sits in memory.
 * Job ids come from the batch id and the job's position: a replayed batch queues nothing new.
 */
export class BatchIngestor<S extends StreamName> {
  private readonly validator: Validator<StreamRecord[S]>;
  private pending: StreamRecord[S][] = [];
  private pendingSize = 0;
  private part = 0;
  private accepted = 0;
  private rejectedCount = 0;
  private readonly rejected: Rejection[] = [];

  constructor(private readonly options: BatchOptions<S>) {
    this.validator = validatorFor(options.stream);
  }

  async add(raw: unknown, index: number, line?: number): Promise<void> {
    const errors = await this.check(raw);
    if (errors.length > 0) {
      this.reject({ index, ...(line === undefined ? {} : { line }), errors });
      return;
    }
    this.accepted += 1;
    for (const piece of this.split(raw as StreamRecord[S])) {
      this.pending.push(piece.record);
      this.pendingSize += piece.size;
      if (this.pendingSize >= this.options.jobSize) await this.flush();
    }
  }

  reject(rejection: Rejection): void {
    this.rejectedCount += 1;
    if (this.rejected.length < MAX_LISTED_REJECTIONS) this.rejected.push(rejection);
  }

  /** Queues what is left and sums up the batch. */
  async finish(): Promise<BatchSummary> {
    await this.flush();
    return { batchId: this.options.batchId, accepted: this.accepted, rejected: this.rejected, rejectedCount: this.rejectedCount };
  }

  private async check(raw: unknown): Promise<FieldError[]> {
    if (!this.validator.check(raw)) return this.validator.errors(raw);
    const { stream, references, regions } = this.options;
    let errors = checkReferences(stream, raw, await references.current(), regions);
    if (errors.length > 0) {
      const fresher = await references.reloadAfterMiss();
      if (fresher) errors = checkReferences(stream, raw, fresher, regions);
    }
    return errors;
  }

  /** Telemetry records larger than a job are cut into several by their samples. */
  private *split(record: StreamRecord[S]): Generator<{ record: StreamRecord[S]; size: number }> {
    if (this.options.stream !== 'telemetry') {
      yield { record, size: 1 };
      return;
    }
    const telemetry = record as TelemetryRecord;
    const total = countReadings(telemetry);
    if (total <= this.options.jobSize) {
      yield { record, size: total };
      return;
    }
    let readings: TelemetryRecord['readings'] = [];
    let size = 0;
    for (const sample of telemetry.readings) {
      readings.push(sample);
      size += Object.keys(sample.values).length;
      if (size >= this.options.jobSize) {
        yield { record: { deviceId: telemetry.deviceId, readings } as StreamRecord[S], size };
        readings = [];
        size = 0;
      }
    }
    if (readings.length > 0) yield { record: { deviceId: telemetry.deviceId, readings } as StreamRecord[S], size };
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    await this.options.waitForRoom();
    const { batchId, stream, queue } = this.options;
    const data: IngestJob<S> = { batchId, part: this.part, records: this.pending };
    await (queue as Queue<IngestJob<S>>).add(stream as never, data as never, { jobId: ingestJobId(batchId, this.part) });
    this.part += 1;
    this.pending = [];
    this.pendingSize = 0;
  }
}
