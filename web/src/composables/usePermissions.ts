import { computed } from 'vue';
import { hasPermission, PERMISSIONS, type Permission } from '../lib/permissions';
import { useSessionStore } from '../stores/session';

/** What the signed-in user may do; the rules themselves live in lib/permissions.ts. */
export function usePermissions() {
  const session = useSessionStore();
  const can = (permission: Permission) => hasPermission(session.session, permission);
  return {
    can,
    isAdmin: computed(() => can(PERMISSIONS.admin)),
    canWriteAlarms: computed(() => can(PERMISSIONS.alarmsAcknowledge)),
    canEditAlarmRules: computed(() => can(PERMISSIONS.alarmRules)),
  };
}
