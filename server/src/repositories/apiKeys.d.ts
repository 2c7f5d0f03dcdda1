import type { Queryable } from '@servicetower/workers';
export declare const KEY_SCOPES: readonly ["service-orders", "parts", "complaints", "telemetry", "reference", "read", "admin"];
export type KeyScope = (typeof KEY_SCOPES)[number];
export interface ApiKey {
    id: string;
    name: string;
    scopes: KeyScope[];
    /** null: every region. */
    regions: string[] | null;
    createdAt: Date;
    revokedAt: Date | null;
}
/** Creates a key and returns its token, `st_<id>_<secret>`: the only time the secret exists in clear. */
export declare function createApiKey(db: Queryable, input: {
    name: string;
    scopes: KeyScope[];
    regions: string[] | null;
}): Promise<{
    key: ApiKey;
    token: string;
}>;
/** The live key a token stands for, or null when it is unknown, wrong or revoked. */
export declare function findApiKeyByToken(db: Queryable, token: string): Promise<ApiKey | null>;
export declare function revokeApiKey(db: Queryable, id: string): Promise<boolean>;
export declare function listApiKeys(db: Queryable): Promise<ApiKey[]>;
