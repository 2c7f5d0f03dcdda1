export declare class HttpError extends Error {
    readonly statusCode: number;
    readonly headers: Record<string, string>;
    readonly errors?: Array<{
        path: string;
        message: string;
    }> | undefined;
    constructor(statusCode: number, message: string, headers?: Record<string, string>, errors?: Array<{
        path: string;
        message: string;
    }> | undefined);
}
declare const httpErrors: {
    badRequest: (message: string, headers?: Record<string, string>) => HttpError;
    unauthorized: (message: string, headers?: Record<string, string>) => HttpError;
    forbidden: (message: string, headers?: Record<string, string>) => HttpError;
    notFound: (message: string, headers?: Record<string, string>) => HttpError;
    conflict: (message: string, headers?: Record<string, string>) => HttpError;
    payloadTooLarge: (message: string, headers?: Record<string, string>) => HttpError;
    unsupportedMediaType: (message: string, headers?: Record<string, string>) => HttpError;
    unprocessable: (message: string, headers?: Record<string, string>) => HttpError;
    tooManyRequests: (message: string, headers?: Record<string, string>) => HttpError;
    unavailable: (message: string, headers?: Record<string, string>) => HttpError;
};
declare module 'fastify' {
    interface FastifyInstance {
        httpErrors: typeof httpErrors;
    }
}
/**
 * One error shape for every answer: `{ statusCode, error, message, errors? }`. Anything a
 * client can cause is a 4xx with a sentence that says what to fix; only our own faults are 500.
 */
declare const _default: (app: import("fastify").FastifyInstance<import("fastify").RawServerDefault, import("http").IncomingMessage, import("http").ServerResponse<import("http").IncomingMessage>, import("fastify").FastifyBaseLogger, import("fastify").FastifyTypeProviderDefault>) => Promise<void>;
export default _default;
