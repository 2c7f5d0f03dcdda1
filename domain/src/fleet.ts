import { Type, type Static } from '@sinclair/typebox';

/** A device's health: critical with an unresolved critical alarm or little life left, warning likewise, else ok. */
export const HEALTH = ['ok', 'warning', 'critical'] as const;
export type Health = (typeof HEALTH)[number];

export const FleetDevice = Type.Object({
  id: Type.String(),
  modelId: Type.String(),
  outletId: Type.String(),
  customerId: Type.Union([Type.String(), Type.Null()]),
  regionId: Type.String(),
  health: Type.Union(HEALTH.map((h) => Type.Literal(h))),
  lastSeenAt: Type.Union([Type.String(), Type.Null()], { description: 'time of its latest reading; null: it never reported' }),
  openAlarms: Type.Object(
    { warning: Type.Integer(), critical: Type.Integer() },
    { description: 'alarms not resolved yet (open or acknowledged), by severity' },
  ),
  rulCycles: Type.Union([Type.Number(), Type.Null()], { description: 'remaining useful life in cycles (engines); null: no estimate' }),
});
export type FleetDevice = Static<typeof FleetDevice>;

/** Health from what is known of a device (DESIGN.md §5 device health). */
export function healthOf(openAlarms: { warning: number; critical: number }, rulCycles: number | null, limits: { warning: number; critical: number }): Health {
  if (openAlarms.critical > 0 || (rulCycles !== null && rulCycles <= limits.critical)) return 'critical';
  if (openAlarms.warning > 0 || (rulCycles !== null && rulCycles <= limits.warning)) return 'warning';
  return 'ok';
}
