// Debian's Chromium driven by playwright-core (no browser download), and what every test does with it:
// sign in through the form, read what the API answers with the same session, save screenshots.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import type { E2eContext, E2eUser } from './stack.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Generous: the machine is small and shared, and every wait is for a condition, never a fixed time. */
export const TIMEOUT = 30_000;

export const e2e = () => inject('e2e');

export interface Session {
  context: BrowserContext;
  page: Page;
  user: E2eUser;
}

/**
 * Chromium as the probe of this machine starts it: headless, no sandbox (root), no GPU, no QUIC, and nothing
 * fetched in the background (the network is closed). Playwright gives each launch a fresh profile folder;
 * the one named here keeps crash reports and caches out of the home folder and is removed on close.
 */
export async function launch(): Promise<Browser & { dispose(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'st-e2e-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--disk-cache-dir=${join(profile, 'cache')}`,
    ],
    env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
    timeout: 60_000,
  });
  return Object.assign(browser, {
    async dispose() {
      await browser.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  });
}

/** A browser context as a person in the business's time zone would have it: English, 1440 × 900. */
export async function newContext(browser: Browser, storageState?: Awaited<ReturnType<BrowserContext['storageState']>>): Promise<BrowserContext> {
  const { baseUrl, timeZone } = e2e();
  const context = await browser.newContext({
    baseURL: baseUrl,
    timezoneId: timeZone,
    locale: 'en-US',
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    storageState,
  });
  context.setDefaultTimeout(TIMEOUT);
  return context;
}

/** Opens the dashboard, is sent to the sign-in form, signs in there, and lands back where it started. */
export async function signIn(browser: Browser, user: E2eUser, path = '/#/'): Promise<Session> {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(path);
  await page.getByTestId('signin-form').waitFor();
  expect(page.url()).toContain('#/signin');
  await page.getByTestId('signin-username').fill(user.username);
  await page.getByTestId('signin-password').fill(e2e().password);
  await page.getByTestId('signin-submit').click();
  // Signed in: the header names the user (a locator wait, so it also serves in beforeAll hooks).
  await page.getByTestId('current-user').filter({ hasText: user.displayName }).waitFor();
  expect(page.url()).not.toContain('#/signin');
  return { context, page, user };
}

export type UserKey = keyof E2eContext['users'];

/**
 * One browser tab, as on a shared desk: `as(key, path)` opens `path` as that user. The first time, and
 * whenever another user is at the tab, whoever is signed in signs out through the header and `key` signs in
 * on the form the dashboard sends to, coming back to `path`. The page stays loaded from one user to the
 * next (a single-page app), so nothing one user saw may stay behind for the next.
 */
export function desk(browser: () => Browser) {
  let context: BrowserContext | null = null;
  let page: Page | null = null;
  let current: UserKey | null = null;
  return {
    get page(): Page {
      if (!page) throw new Error('nobody has used this desk yet');
      return page;
    },
    get current(): UserKey | null {
      return current;
    },
    /** Opens `path` at the tab as whoever is there (nobody, at first: the dashboard shows its form). */
    async open(path = '/#/'): Promise<Page> {
      if (!context || !page) {
        context = await newContext(browser());
        page = await context.newPage();
      }
      await page.goto(path);
      return page;
    },
    async as(key: UserKey, path = '/#/'): Promise<Page> {
      if (!context || !page) {
        context = await newContext(browser());
        page = await context.newPage();
      }
      if (current === key) {
        await page.goto(path);
        return page;
      }
      if (current !== null) await signOut(page);
      current = null;
      await page.goto(path);
      await page.getByTestId('signin-form').waitFor();
      expect(page.url()).toContain('#/signin?redirect=');
      const user = e2e().users[key];
      await page.getByTestId('signin-username').fill(user.username);
      await page.getByTestId('signin-password').fill(e2e().password);
      await page.getByTestId('signin-submit').click();
      await page.getByTestId('current-user').filter({ hasText: user.displayName }).waitFor();
      current = key;
      return page;
    },
    /** Signs out through the header, back to the form. */
    async signOut(): Promise<void> {
      if (page && current !== null) await signOut(page);
      current = null;
    },
    async close(): Promise<void> {
      await context?.close().catch(() => {});
      context = null;
      page = null;
      current = null;
    },
  };
}

async function signOut(page: Page): Promise<void> {
  await page.getByTestId('sign-out').click();
  await page.getByTestId('signin-form').waitFor();
}

export type Query = Record<string, string | number | null | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** GET from the API as the signed-in user (the browser context's session cookie), expecting 200. */
export async function api<T>(page: Page, path: string, query: Query = {}): Promise<T> {
  const url = withQuery(path, query);
  const response = await page.request.get(url);
  if (response.status() !== 200) throw new Error(`GET ${url}: ${response.status()} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A state-changing call as the signed-in user, with the header the dashboard's own requests carry. */
export async function send<T>(page: Page, method: 'POST' | 'PUT', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await page.request.fetch(path, { method, data: body as object | undefined, headers: { 'x-requested-with': 'fetch' } });
  const text = await response.text();
  return { status: response.status(), body: (text ? JSON.parse(text) : undefined) as T };
}

/** The text of a test id once it equals `expected` (or fails with what it showed last). */
export async function expectText(locator: Locator, expected: string | RegExp, timeout = TIMEOUT): Promise<void> {
  const read = async () => ((await locator.count()) > 0 ? ((await locator.first().textContent()) ?? '').trim() : null);
  if (typeof expected === 'string') await expect.poll(read, { timeout }).toBe(expected);
  else await expect.poll(read, { timeout }).toMatch(expected);
}

/** A full-page screenshot under test-artifacts/e2e/, once the page's charts have drawn. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.screenshot({ path: join(e2e().artifacts, `${name}.png`), fullPage: true });
}

/** The canvas ECharts drew into inside a panel has been painted with something other than the background. */
export async function expectChartDrawn(panel: Locator): Promise<void> {
  const canvas = panel.locator('canvas').first();
  await canvas.waitFor();
  await expect.poll(() => canvas.evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d');
    if (!ctx || c.width === 0 || c.height === 0) return 0;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4 * 16) if (data[i]! > 0) painted += 1;
    return painted;
  }), { timeout: TIMEOUT }).toBeGreaterThan(50);
}
