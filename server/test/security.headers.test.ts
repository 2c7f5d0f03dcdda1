// Security headers (@fastify/helmet) on every answer, and a content security policy under which the dashboard
// (web/dist) and the API reference (/docs) still run: their pages load scripts only from files of this site, no
// inline script or handler, no eval; styles may be inline (ECharts' tooltips, swagger-ui); images also data:.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { bearer, startHarness, type App, type Harness } from './support/harness.js';

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
const DIST = `${WEB}dist/`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

/** The policy's directives, by name. */
function policy(header: string | string[] | number | undefined): Record<string, string[]> {
  return Object.fromEntries(String(header).split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));
}

/** What of a page would break under the policy, or is not this site's own file. */
function pageProblems(html: string): string[] {
  const problems: string[] = [];
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    const src = /\bsrc="([^"]*)"/i.exec(tag)?.[1];
    if (src === undefined) problems.push(`inline script: ${tag}`);
    else if (/^(https?:)?\/\//i.test(src)) problems.push(`script from elsewhere: ${src}`);
  }
  if (/<script\b[^>]*>[^<\s]/i.test(html)) problems.push('a script element with a body');
  for (const [attribute] of html.matchAll(/\son[a-z]+\s*=/gi)) problems.push(`inline handler: ${attribute.trim()}`);
  if (/javascript:/i.test(html)) problems.push('a javascript: URL');
  for (const [, href] of html.matchAll(/<link\b[^>]*\bhref="([^"]*)"/gi)) if (/^(https?:)?\/\//i.test(href!)) problems.push(`link to elsewhere: ${href}`);
  return problems;
}

describe('every answer', () => {
  it('carries the security headers, errors and API answers too', async () => {
    for (const request of [
      { method: 'GET' as const, url: '/' },
      { method: 'GET' as const, url: '/api/v1/regions', headers: bearer(h.adminKey) },
      { method: 'GET' as const, url: '/api/v1/regions' },
      { method: 'GET' as const, url: '/no/such/route' },
      { method: 'GET' as const, url: '/docs/json' },
    ]) {
      const response = await h.app.inject(request);
      const where = `${request.url} (${response.statusCode})`;
      expect(response.headers['x-content-type-options'], where).toBe('nosniff');
      expect(response.headers['x-frame-options'], where).toBe('DENY');
      expect(response.headers['referrer-policy'], where).toBe('no-referrer');
      expect(response.headers['cross-origin-opener-policy'], where).toBe('same-origin');
      expect(response.headers['content-security-policy'], where).toBeDefined();
      expect(response.headers['x-powered-by'], where).toBeUndefined();
    }
  });
});

describe('the content security policy', () => {
  it('lets only this site’s own scripts run, never inline or eval’d, and connects only here, the live WebSocket included', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/', headers: { host: 'tower.example.com:8443' } });
    const csp = policy(response.headers['content-security-policy']);
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['script-src-attr']).toEqual(["'none'"]);
    expect(csp['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp['img-src']).toEqual(["'self'", 'data:', 'blob:']);
    expect(csp['connect-src']).toEqual(["'self'", 'ws://tower.example.com:8443', 'wss://tower.example.com:8443']);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'self'"]);
    expect(csp['form-action']).toEqual(["'self'"]);
    // Over plain HTTP nothing asks the browser for HTTPS, or the dashboard would fetch https: files that are not there.
    expect(csp['upgrade-insecure-requests']).toBeUndefined();
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('writes no Host header into the policy that is not a host name', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/', headers: { host: "evil.example; script-src 'unsafe-inline'" } });
    const header = String(response.headers['content-security-policy']);
    expect(header).not.toContain('evil.example');
    expect(policy(header)['script-src']).toEqual(["'self'"]);
  });

  it('asks for HTTPS only when the dashboard is served over it (SESSION_COOKIE_SECURE=on)', async () => {
    const app: App = await buildApp({ ...h.config, SESSION_COOKIE_SECURE: 'on' }, false);
    try {
      const response = await app.inject({ method: 'GET', url: '/' });
      expect(response.headers['strict-transport-security']).toBe('max-age=31536000');
      expect(policy(response.headers['content-security-policy'])['upgrade-insecure-requests']).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('the pages run under it', () => {
  it('the dashboard: web/index.html and the built web/dist hold no inline script or handler, and load only this site’s files', async () => {
    expect(pageProblems(readFileSync(`${WEB}index.html`, 'utf8'))).toEqual([]);
    if (!existsSync(`${DIST}index.html`)) return; // not built here: the source page above is what the build keeps
    const served = await h.app.inject({ method: 'GET', url: '/' });
    expect(served.statusCode).toBe(200);
    expect(pageProblems(served.body)).toEqual([]);
    // No eval in the built code (script-src has no 'unsafe-eval'), and every script the page names is served.
    for (const file of readdirSync(`${DIST}assets`).filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(`${DIST}assets/${file}`, 'utf8');
      expect(/\beval\(|new Function\(/.test(code), file).toBe(false);
    }
    for (const [, src] of served.body.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]*)"/g)) {
      expect((await h.app.inject({ method: 'GET', url: src! })).statusCode, src).toBe(200);
    }
  });

  it('the API reference: /docs loads swagger-ui from this site’s files, with no inline script', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(policy(page.headers['content-security-policy'])['script-src']).toEqual(["'self'"]);
    expect(pageProblems(page.body)).toEqual([]);
    const scripts = [...page.body.matchAll(/<script\b[^>]*\bsrc="([^"]*)"/g)].map((m) => new URL(m[1]!, 'http://localhost/docs/').pathname);
    expect(scripts).toContain('/docs/static/swagger-initializer.js');
    for (const src of scripts) expect((await h.app.inject({ method: 'GET', url: src })).statusCode, src).toBe(200);
  });
});
