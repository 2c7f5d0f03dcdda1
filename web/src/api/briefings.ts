import type { Briefing } from '@servicetower/domain';
import { getJson } from './http';

export type Department = keyof Briefing['departments'];

/** GET /api/v1/briefings?date=YYYY-MM-DD: 404 when none was written for the day. */
export function fetchBriefing(query: { date: string; department?: Department | null }, signal?: AbortSignal) {
  return getJson<Briefing>('/api/v1/briefings', query, signal);
}
