import type { FastifyPluginAsync } from 'fastify';
import { liveCredential } from '../../../plugins/app/live.js';

/**
 * `GET /api/v1/live`, a WebSocket. The upgrade needs an API key with `read` (or `admin`), sent as on
 * every route: `Authorization: Bearer <key>`, or the dashboard's session cookie with an Origin of this site
 * (browsers send cookies with cross-site upgrades too). Then: {"op":"subscribe","topic":"device:<id>"|"alarms"|"kpi"}.
 */
const live: FastifyPluginAsync = async (app) => {
  app.get(
    '/live',
    {
      websocket: true,
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        tags: ['live'],
        security: [{ apiKey: [] }],
        summary: 'Live readings, alarms and figure changes over a WebSocket',
        description:
          'Upgrade with an API key holding read, or signed in (the session cookie, and an Origin header naming this site). Send {"op":"subscribe","topic":"device:<id>"} for a device\'s readings ' +
          '(at most one message per device every LIVE_THROTTLE_MS, with each sensor\'s latest value, min, max and count since the last), ' +
          '"alarms" for alarms opened or changed, "kpi" for change notices; {"op":"unsubscribe",…} to stop. ' +
          'A device outside the key\'s or user\'s regions is refused with an error message. ' +
          'The socket is closed (code 1008) when its key is revoked, its sign-in ends, or its user\'s role or regions change.',
      },
    },
    (socket, request) => {
      const client = app.live.connect(socket, request.principal!.regions, liveCredential(request));
      socket.on('message', (data: Buffer) => void client.onMessage(data.toString('utf8')));
      socket.on('close', client.onClose);
      socket.on('error', client.onClose);
    },
  );
};

export default live;
