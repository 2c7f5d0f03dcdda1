/** The server the tests use; its `postgres` database is where test databases are made. */
export declare const TEST_SERVER_URL: string;
export declare const TEST_REDIS_URL: string;
export declare function databaseUrl(name: string): string;
/** A migrated database named after the migrations' content, made once and reused while they do not change. */
export declare function prepareTemplateDatabase(): Promise<string>;
/** A fresh database for one test file, cloned from the template. */
export declare function createTestDatabase(template: string): Promise<{
    name: string;
    url: string;
    drop(): Promise<void>;
}>;
export declare function createEmptyDatabase(): Promise<{
    name: string;
    url: string;
    drop(): Promise<void>;
}>;
