import type { Queryable } from '@servicetower/workers';
/** What ingestion checks records against: which ids exist, and where they belong. */
export interface ReferenceSnapshot {
    outletRegion: Map<string, string>;
    productLines: Set<string>;
    parts: Set<string>;
    devices: Map<string, {
        outletId: string;
        modelId: string;
    }>;
    modelSensors: Map<string, Set<string>>;
}
/**
 * Reference data held in memory for validation. It reloads when older than 10 s, when
 * this process changed it, and on a miss (at most once a second), so an outlet created
 * a moment ago through another API instance is found.
 */
export declare class ReferenceCache {
    private readonly db;
    private snapshot;
    private loadedAt;
    private loading;
    constructor(db: Queryable);
    current(): Promise<ReferenceSnapshot>;
    /** Reloads after a lookup missed; false when the snapshot is already fresh. */
    reloadAfterMiss(): Promise<ReferenceSnapshot | null>;
    invalidate(): void;
    private reload;
}
