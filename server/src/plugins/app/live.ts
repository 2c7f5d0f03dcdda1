import fp from 'fastify-plugin';
import websocket from '@fastify/websocket';
import { Redis } from 'ioredis';
import type { ChangeNotice, ReadingsNotice } from '@servicetower/domain';
import { liveChannels } from '@servicetower/workers';
import type { FastifyRequest } from 'fastify';
import { keyPrincipal, reachOf, userPrincipal } from '../../auth/principal.js';
import { LiveHub, type CurrentReach, type LiveCredential } from '../../live/hub.js';
import { activeApiKeys } from '../../repositories/apiKeys.js';
import { activeSessionUsers, sessionId } from '../../repositories/sessions.js';
import { SESSION_COOKIE } from './auth.js';

declare module 'fastify' {
  interface FastifyInstance {
    live: LiveHub;
    /**
     * Checks the credentials of this instance's WebSockets now, closing those that ended: called after an
     * admin revokes a key or changes a user, and after a sign-out, so that it takes effect at once.
     */
    recheckLive(): void;
  }
}

/** The credential an authenticated upgrade request came with, to be checked again while its socket stays open. */
export function liveCredential(request: FastifyRequest): LiveCredential {
  const principal = request.principal!;
  const id = principal.kind === 'key' ? `key:${principal.id}` : `session:${sessionId(request.cookies[SESSION_COOKIE] ?? '')}`;
  return { id, reach: reachOf(principal) };
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

    /** Each credential still valid, with the reach it gives now: two queries, however many sockets are open. */
    const currentReach: CurrentReach = async (ids) => {
      const keyIds = ids.filter((id) => id.startsWith('key:')).map((id) => id.slice(4));
      const sessionIds = ids.filter((id) => id.startsWith('session:')).map((id) => id.slice(8));
      const [keys, users] = await Promise.all([
        keyIds.length ? activeApiKeys(app.db, keyIds) : [],
        sessionIds.length ? activeSessionUsers(app.db, sessionIds) : new Map(),
      ]);
      return new Map([
        ...keys.map((key) => [`key:${key.id}`, reachOf(keyPrincipal(key))] as const),
        ...[...users].map(([id, user]) => [`session:${id}`, reachOf(userPrincipal(user))] as const),
      ]);
    };
    let rechecking: Promise<unknown> | null = null;
    const recheck = () => {
      // One check at a time; the database away leaves the sockets as they are until it answers again.
      rechecking ??= hub.recheck(currentReach)
        .catch((error: Error) => app.log.debug({ err: error.message }, 'live credential check failed'))
        .finally(() => { rechecking = null; });
    };
    app.decorate('recheckLive', recheck);
    const recheckTimer = setInterval(recheck, app.config.LIVE_RECHECK_MS);

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
      clearInterval(recheckTimer);
      hub.close();
      subscriber.disconnect();
    });
  },
  { name: 'live', dependencies: ['config', 'db'] },
);
