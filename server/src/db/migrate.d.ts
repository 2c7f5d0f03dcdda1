export declare const MIGRATIONS_DIR: string;
/**
 * Applies every pending migration in `migrations/`. The files themselves are
 * idempotent, so running them again (even with the bookkeeping table gone) is harmless.
 * Returns the names of the migrations applied by this call.
 */
export declare function migrate(databaseUrl: string, log?: (line: string) => void): Promise<string[]>;
