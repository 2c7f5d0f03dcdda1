import type { Config } from '@servicetower/domain';
declare module 'fastify' {
    interface FastifyInstance {
        config: Config;
    }
}
declare const _default: import("fastify").FastifyPluginCallback<{
    config: Config;
}, import("fastify").RawServerDefault, import("fastify").FastifyTypeProviderDefault, import("fastify").FastifyBaseLogger>;
export default _default;
