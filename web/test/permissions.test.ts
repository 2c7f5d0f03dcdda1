import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/session';
import { hasPermission, PERMISSIONS } from '../src/lib/permissions';

const session = (role: Session['user']['role'], permissions: string[]): Session => ({
  user: { id: '1', username: 'u', displayName: 'U', role, regions: null },
  permissions,
});

describe('permissions', () => {
  it('lets nobody do anything when signed out', () => {
    expect(hasPermission(null, PERMISSIONS.alarmsAcknowledge)).toBe(false);
  });

  it('keeps a viewer from writing alarms and from admin', () => {
    const viewer = session('viewer', ['dashboards:read']);
    expect(hasPermission(viewer, PERMISSIONS.alarmsAcknowledge)).toBe(false);
    expect(hasPermission(viewer, PERMISSIONS.admin)).toBe(false);
  });

  it('grants what the session lists', () => {
    const engineer = session('engineer', ['dashboards:read', 'alarms:acknowledge']);
    expect(hasPermission(engineer, PERMISSIONS.alarmsAcknowledge)).toBe(true);
    expect(hasPermission(engineer, PERMISSIONS.admin)).toBe(false);
  });

  it('keeps alarm rules to administrators: an engineer acknowledges alarms but does not change their rules', () => {
    expect(hasPermission(session('engineer', ['dashboards:read', 'alarms:acknowledge']), PERMISSIONS.alarmRules)).toBe(false);
    expect(hasPermission(session('viewer', ['dashboards:read']), PERMISSIONS.alarmRules)).toBe(false);
    expect(hasPermission(session('admin', ['dashboards:read', 'alarms:acknowledge', 'admin']), PERMISSIONS.alarmRules)).toBe(true);
  });

  it('lets an administrator do everything, by permission or by role', () => {
    expect(hasPermission(session('admin', []), PERMISSIONS.alarmsAcknowledge)).toBe(true);
    expect(hasPermission(session('service_manager', ['admin']), PERMISSIONS.alarmsAcknowledge)).toBe(true);
  });
});
