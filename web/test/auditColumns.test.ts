import type { AuditEntry } from '@servicetower/domain';
import { describe, expect, it } from 'vitest';
import { auditColumns } from '../src/lib/auditColumns';
import { toCsv } from '../src/lib/csv';

const t = (key: string) => key;
const entry: AuditEntry = {
  id: '17', at: '2026-03-05T02:30:00.000Z', actor: { kind: 'user', id: '3', name: 'e2e-admin' }, action: 'key.create', target: 'key:9',
  detail: { name: 'erp, nightly', scopes: ['read'], regions: null },
};

describe('audit log columns', () => {
  it('export every field of an entry under its own name, the detail as JSON', () => {
    expect(toCsv(auditColumns(t, 'en'), [entry])).toBe(
      'id,at,actorName,actorKind,actorId,action,target,detail\r\n' +
      '17,2026-03-05T02:30:00.000Z,e2e-admin,user,3,key.create,key:9,"{""name"":""erp, nightly"",""scopes"":[""read""],""regions"":null}"\r\n',
    );
  });

  it('show the time in the chosen language and the actor’s kind in words', () => {
    const columns = auditColumns(t, 'en');
    const at = columns.find((c) => c.key === 'at')!;
    expect(at.format!(entry)).toBe(new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(entry.at)));
    expect(columns.find((c) => c.key === 'actorKind')!.format!(entry)).toBe('admin.audit.kind.user');
  });
});
