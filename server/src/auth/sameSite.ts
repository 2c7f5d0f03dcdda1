import type { FastifyRequest } from 'fastify';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request authenticated by the session cookie must prove it comes from this site: anything
 * that changes state, and the WebSocket upgrade (browsers send cookies with cross-site upgrades too).
 */
export function needsSameSite(request: FastifyRequest): boolean {
  return !SAFE_METHODS.has(request.method) || request.headers.upgrade?.toLowerCase() === 'websocket';
}

/**
 * Why the request cannot be taken as coming from this site, or null when it can: its Origin names this
 * host, or it has no Origin but an X-Requested-With header, which a cross-site form cannot send.
 */
export function crossSiteReason(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  if (origin === undefined) {
    return request.headers['x-requested-with'] ? null : 'it has neither an Origin header nor X-Requested-With';
  }
  return URL.canParse(origin) && hostName(new URL(origin).host) === hostName(request.host)
    ? null
    : `its Origin (${origin}) is not this site (${request.host})`;
}

/** A Host header may name the default port that an Origin leaves out. */
const hostName = (host: string) => host.toLowerCase().replace(/:(80|443)$/, '');
