import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { regionLimitedAdmin, type KeyScope, type Role } from '@servicetower/domain';
import { HttpError } from '../../../../plugins/app/errors.js';
import { missingRegions } from '../../../../repositories/users.js';

export const common = { tags: ['admin'], security: [{ apiKey: [] }] };

export const NumericId = (what: string) => Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$', description: `the ${what}'s id` }) });

/** A 422 naming the regions of a user or key that do not exist: a typo would otherwise hide everything from them. */
export async function checkRegions(app: FastifyInstance, regions: string[] | null | undefined): Promise<void> {
  if (!regions || regions.length === 0) return;
  const missing = await missingRegions(app.db, regions);
  if (missing.length === 0) return;
  const message = `No region ${missing.join(', ')}: list the regions with GET /api/v1/regions, or create it first.`;
  throw new HttpError(422, message, {}, [{ path: 'body/regions', message }]);
}

/** A 422 when an admin key or user would be limited to regions: administration reaches the whole network. */
export function checkAdminRegions(holder: { scopes: readonly KeyScope[] } | { role: Role }, regions: string[] | null | undefined): void {
  const reason = regionLimitedAdmin(holder, regions);
  if (!reason) return;
  const message = `Refused: ${reason}.`;
  throw new HttpError(422, message, {}, [{ path: 'body/regions', message }]);
}
