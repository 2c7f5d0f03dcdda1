import { onBeforeUnmount, onMounted, ref } from 'vue';
import { fetchReadiness, type Readiness } from '../api/health';

const RECHECK_MS = 60_000;

/** Whether the API can serve: asked at mount, every minute, and on demand. */
export function useReadiness() {
  const readiness = ref<Readiness>();
  const error = ref<string>();
  const loading = ref(false);
  let inFlight: AbortController | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;

  async function check(): Promise<void> {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    loading.value = true;
    error.value = undefined;
    try {
      readiness.value = await fetchReadiness(controller.signal);
    } catch (e) {
      if (controller.signal.aborted) return;
      readiness.value = undefined;
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      if (inFlight === controller) loading.value = false;
    }
  }

  onMounted(() => {
    void check();
    timer = setInterval(() => void check(), RECHECK_MS);
  });
  onBeforeUnmount(() => {
    inFlight?.abort();
    clearInterval(timer);
  });

  return { readiness, error, loading, check };
}
