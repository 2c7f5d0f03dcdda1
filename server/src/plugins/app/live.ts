import fp from 'fastify-plugin';
import websocket from '@fastify/websocket';
import { Redis } from 'ioredis';
import type { ChangeNotice, ReadingsNotice } from '@servicetower/domain';
import { liveChannels } from '@servicetower/workers';
import { LiveHub } from '../../live/hub.js';

declare module 'fastify' {
  interface FastifyInstance {
    live: LiveHub;
  }
}

/** How long a device's region is remembered for scope checks of live subscribers. */
const REGION_TTL_MS = 60_000;
const REGION_CACHE_SIZE = 10_000;

/**
 * The live channel's plumbing: WebSocket support, a Redis subscriber on the channels the workers publish
 * on, and the hub that relays each notice to this instance's clients. Several instances each subscribe,
 * so a client gets what any worker wrote whichever instance it is connected to.
 */
export default fp(
  async (app) => {
    await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    const regions = new Map<string, { region: string | null; until: number }>();
    const regionOf = async (deviceId: string) => {
      const cached = regions.get(deviceId);
      if (cached && cached.until > Date.now()) return cached.region;
      const { rows } = await app.db.query<{ region_id: string }>(
        'SELECT o.region_id FROM device d JOIN outlet o USING (outlet_id) WHERE d.device_id = $1::text', [deviceId]);
      const region = rows[0]?.region_id ?? null;
      if (regions.size >= REGION_CACHE_SIZE) regions.clear(); // bounded, whatever ids clients ask for
      regions.set(deviceId, { region, until: Date.now() + REGION_TTL_MS });
      return region;
    };
    const channels = liveChannels(app.config.QUEUE_PREFIX);
    const subscriber = new Redis(app.config.REDIS_URL, { retryStrategy: (attempt) => Math.min(attempt * 200, 2000) });
    // Readings are the heavy channel: received only while a client here watches a device (and the workers
    // publish them only while some instance receives them: workers/src/live.ts).
    const hub = new LiveHub(regionOf, app.config.LIVE_THROTTLE_MS, (wanted) => {
      void (wanted ? subscriber.subscribe(channels.readings) : subscriber.unsubscribe(channels.readings)).catch(() => {});
    });
    app.decorate('live', hub);

    subscriber.on('error', (error: Error) => app.log.debug({ err: error.message }, 'live subscriber connection error'));
    subscriber.on('message', (channel: string, text: string) => {
      try {
        const notice = JSON.parse(text) as unknown;
        if (channel === channels.readings) hub.readings(notice as ReadingsNotice);
        else if (channel === channels.changes) hub.change(notice as ChangeNotice);
        else if (channel === channels.alarms) void hub.alarm(notice as Record<string, unknown>).catch((error: Error) => app.log.warn({ err: error.message }, 'live alarm relay failed'));
      } catch (error) {
        app.log.warn({ channel, err: (error as Error).message }, 'unreadable live notice');
      }
    });
    // Subscribed once Redis answers; while it is away the live channel is quiet and HTTP goes on.
    void subscriber.subscribe(channels.changes, channels.alarms).catch(() => {});
    app.addHook('onClose', async () => {
      hub.close();
      subscriber.disconnect();
    });
  },
  { name: 'live', dependencies: ['config', 'db'] },
);
