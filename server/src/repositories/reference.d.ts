import type { CollectionBody, CollectionName } from '@servicetower/domain';
import type { Queryable } from '@servicetower/workers';
/** A stored reference item: its id under the collection's id name, and its fields. */
export type ReferenceItem = Record<string, unknown>;
export interface ListOptions {
    /** null: every region. Collections tied to a region return only items in these. */
    regions: string[] | null;
    limit: number;
    /** Return items whose id sorts after this one (the `next` of the previous page). */
    after: string | null;
}
/** Inserts or replaces one item. A missing region, model or outlet raises PostgreSQL error 23503. */
export declare function upsertReference<C extends CollectionName>(db: Queryable, collection: C, id: string, body: CollectionBody[C]): Promise<void>;
export declare function getReference(db: Queryable, collection: CollectionName, id: string, regions: string[] | null): Promise<ReferenceItem | null>;
export declare function listReference(db: Queryable, collection: CollectionName, options: ListOptions): Promise<ReferenceItem[]>;
