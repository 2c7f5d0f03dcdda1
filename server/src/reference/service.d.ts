import type { CollectionBody, CollectionName, FieldError } from '@servicetower/domain';
import type { Queryable } from '@servicetower/workers';
import type { ApiKey } from '../repositories/apiKeys.js';
/** Why an upsert was refused: the status to answer and the field errors behind it. */
export declare class ReferenceRejection extends Error {
    readonly statusCode: 403 | 422;
    readonly errors: FieldError[];
    constructor(statusCode: 403 | 422, errors: FieldError[]);
}
/**
 * Checks scope and cross-field rules, then upserts. A region-scoped key may only touch
 * items in its regions, and only an all-regions key may change network-wide collections.
 */
export declare function applyReference<C extends CollectionName>(db: Queryable, apiKey: ApiKey, collection: C, id: string, body: CollectionBody[C]): Promise<void>;
