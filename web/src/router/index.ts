import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { onUnauthorized } from '../api/http';
import { liveClient } from '../composables/useLive';
import { hasPermission, PERMISSIONS, type Permission } from '../lib/permissions';
import { useSessionStore } from '../stores/session';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean;
    /** The permission the route needs; its navigation entry is hidden without it. */
    permission?: Permission;
    /** The i18n key of its navigation entry; routes without one are not in the menu. */
    nav?: string;
  }
}

/** Every page is its own chunk, loaded when first opened: the landing view carries only what it draws. */
export const routes: RouteRecordRaw[] = [
  { path: '/signin', name: 'signin', component: () => import('../views/signin/index.vue'), meta: { public: true } },
  { path: '/', name: 'overview', component: () => import('../views/overview/index.vue'), meta: { nav: 'nav.overview' } },
  { path: '/service-load', name: 'service-load', component: () => import('../views/service-load/index.vue'), meta: { nav: 'nav.serviceLoad' } },
  { path: '/parts', name: 'parts', component: () => import('../views/parts/index.vue'), meta: { nav: 'nav.parts' } },
  { path: '/complaints', name: 'complaints', component: () => import('../views/complaints/index.vue'), meta: { nav: 'nav.complaints' } },
  { path: '/fleet', name: 'fleet', component: () => import('../views/fleet/index.vue'), meta: { nav: 'nav.fleet' } },
  { path: '/devices/:id', name: 'device', component: () => import('../views/device/index.vue'), props: true },
  { path: '/alarms', name: 'alarms', component: () => import('../views/alarms/index.vue'), meta: { nav: 'nav.alarms' } },
  { path: '/briefing', name: 'briefing', component: () => import('../views/briefing/index.vue'), meta: { nav: 'nav.briefing' } },
  { path: '/admin', name: 'admin', component: () => import('../views/admin/index.vue'), meta: { nav: 'nav.admin', permission: PERMISSIONS.admin } },
  { path: '/forbidden', name: 'forbidden', component: () => import('../views/not-found/index.vue'), props: { forbidden: true } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('../views/not-found/index.vue') },
];

/**
 * Hash history: the API serves the built files without a fallback to index.html, so a reloaded or
 * shared deep link (/#/parts?region=north) must not depend on the server knowing the app's paths.
 */
export const router = createRouter({
  history: createWebHashHistory(),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});

/**
 * Called once before the app first renders (main.ts): asks who is signed in and starts loading the first view's
 * chunk at the same time, rather than one after the other once the guard runs after the first render. vue-router
 * loads the view again later, from the browser's module cache. (Its charts' ECharts is not fetched here:
 * evaluating it would hold up the view's first requests.)
 */
export function prepareFirstView(): void {
  const to = router.resolve(router.options.history.location);
  if (to.meta.public) return;
  void useSessionStore().ensureLoaded().catch(() => {});
  for (const record of to.matched) {
    const view = record.components?.default;
    if (typeof view === 'function') void (view as () => Promise<unknown>)().catch(() => {});
  }
}

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const session = useSessionStore();
  let current;
  try {
    current = await session.ensureLoaded();
  } catch {
    // The API cannot be reached: let the view open and say so in its own error state.
    return true;
  }
  if (current === null) return { name: 'signin', query: { redirect: to.fullPath } };
  if (to.meta.permission && !hasPermission(current, to.meta.permission)) return { name: 'forbidden' };
  return true;
});

/** Any 401 from the API: the session has ended; sign in again and come back to the same place. */
onUnauthorized(() => {
  const session = useSessionStore();
  session.clear();
  liveClient().reset();
  const current = router.currentRoute.value;
  if (current.name !== 'signin') void router.push({ name: 'signin', query: { redirect: current.fullPath } });
});
