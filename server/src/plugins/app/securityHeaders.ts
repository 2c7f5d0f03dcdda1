import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';

/** A Host header fit to be written into a policy: a name or an IPv6 literal, and a port. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The live channel's WebSocket on this host. CSP Level 3 browsers count ws: and wss: of the page's own
 * host as 'self', older ones do not; the Host header names what the browser asked for.
 */
function liveSocket(request: IncomingMessage): string {
  const host = request.headers.host;
  return host !== undefined && HOST.test(host) ? `ws://${host} wss://${host}` : '';
}

/**
 * Security headers on every answer (@fastify/helmet), with a content security policy that the dashboard
 * (web/dist) and the API reference (/docs, swagger-ui) both run under:
 * - scripts only from this site's own files (the built index.html has no inline script, and neither has
 *   swagger-ui's page), never inline or eval'd;
 * - styles from this site's files, and inline: ECharts writes its tooltips with style attributes, and
 *   swagger-ui and Vue set element styles;
 * - images from this site, data: (ECharts' "save as image", swagger-ui's icons) and blob:;
 * - connections to this site only: the API and the live channel's ws:/wss:;
 * - no plugins, no framing by other sites, forms post only here.
 * Served over HTTPS (SESSION_COOKIE_SECURE=on), browsers are also told to keep to HTTPS (HSTS) and to
 * upgrade any http: address; over plain HTTP neither is sent, or the dashboard would ask for https: files.
 */
export default fp(
  async (app) => {
    const https = app.config.SESSION_COOKIE_SECURE === 'on';
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          baseUri: ["'self'"],
          scriptSrc: ["'self'"],
          scriptSrcAttr: ["'none'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'", (request) => liveSocket(request)],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          ...(https ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      xFrameOptions: { action: 'deny' },
      strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
      // The API is called from other origins by programs (with a key), never loaded by their pages.
      crossOriginResourcePolicy: { policy: 'same-origin' },
    });
  },
  { name: 'security-headers', dependencies: ['config'] },
);
