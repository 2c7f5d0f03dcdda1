import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  Alarm, ALARM_SEVERITIES, ALARM_STATUSES, AlarmRule, AlarmRuleBody, alarmRuleErrors, AlarmWithEvents, Id, StringEnum, type FieldError,
} from '@servicetower/domain';
import {
  alarmEvents, alarmRuleReferences, ALARM_TRANSITIONS, getAlarm, inTransaction, listAlarmRules, listAlarms, liveChannels, transitionAlarm, upsertAlarmRule,
} from '@servicetower/workers';
import { actorOf } from '../../../auth/principal.js';
import { HttpError } from '../../../plugins/app/errors.js';
import { writeAudit } from '../../../repositories/audit.js';
import { errorResponses } from '../../../schemas.js';

const rulesTags = { tags: ['alarms'], security: [{ apiKey: [] }] };
const AlarmParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$', description: 'the alarm id' }) });

/** Telemetry alarms: their rules per device model and sensor, the alarms they raise, and acknowledging and resolving them. */
const alarms: FastifyPluginAsyncTypebox = async (app) => {
  app.put(
    '/alarm-rules/:id',
    {
      preParsing: app.requireScope('admin', 'reference'),
      schema: {
        ...rulesTags,
        summary: 'Create or replace an alarm rule for a device model’s sensor (written to the audit log)',
        description: 'Kinds and their params — limit: holdSeconds, low and/or high; rate: maxPerMinute, windowSeconds; ' +
          'drift: baselineCount, recentCount, k, minDeviation?; stale: staleSeconds. Alarms already raised keep their history.',
        params: Type.Object({ id: Id }),
        body: AlarmRuleBody,
        response: { 200: AlarmRule, ...errorResponses(400, 401, 403, 422) },
      },
    },
    async (request) => {
      const { body } = request;
      const errors = alarmRuleErrors(body);
      if (errors.length > 0) throw fieldErrors(400, errors.map((e) => ({ ...e, path: `body${e.path}` })));
      const found = await alarmRuleReferences(app.db, body);
      const missing: FieldError[] = [];
      if (!found.model) missing.push({ path: 'body/modelId', message: `device model "${body.modelId}" does not exist: create it first with PUT /api/v1/device-models/${body.modelId}` });
      else if (!found.sensor) missing.push({ path: 'body/sensor', message: `device model "${body.modelId}" has no sensor "${body.sensor}": add it to the model's sensors first` });
      if (!found.productLine) missing.push({ path: 'body/productLine', message: `product line "${body.productLine}" does not exist: create it first with PUT /api/v1/product-lines/${body.productLine}` });
      if (missing.length > 0) throw fieldErrors(422, missing);
      return inTransaction(app.db, async (db) => {
        const rule = await upsertAlarmRule(db, request.params.id, body, body.params);
        await writeAudit(db, actorOf(request.principal!), 'alarm-rule.put', `alarm-rule:${request.params.id}`, { ...body });
        return rule;
      });
    },
  );

  app.get(
    '/alarm-rules',
    {
      preParsing: app.requireScope('read', 'reference', 'admin'),
      schema: {
        ...rulesTags,
        summary: 'List the alarm rules in id order',
        querystring: Type.Object({ model: Type.Optional(Id) }),
        response: { 200: Type.Object({ items: Type.Array(AlarmRule) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({ items: await listAlarmRules(app.db, request.query.model ?? null) }),
  );

  app.get(
    '/alarms',
    {
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        ...rulesTags,
        summary: 'List alarms, newest first; a region-limited key sees the devices of outlets in its regions',
        querystring: Type.Object({
          status: Type.Optional(StringEnum(ALARM_STATUSES)),
          severity: Type.Optional(StringEnum(ALARM_SEVERITIES)),
          device: Type.Optional(Id),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(Alarm) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { status, severity, device, limit } = request.query;
      const items = await listAlarms(app.db, { regions: request.principal!.regions, status: status ?? null, severity: severity ?? null, deviceId: device ?? null, limit });
      return { items };
    },
  );

  app.get(
    '/alarms/:id',
    {
      preParsing: app.requireScope('read', 'admin'),
      schema: {
        ...rulesTags,
        summary: 'An alarm and its history: opened, repeats, escalation, service order, acknowledgement, resolution',
        params: AlarmParams,
        response: { 200: AlarmWithEvents, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const alarm = await visibleAlarm(request.params.id, request.principal!.regions);
      return { ...alarm, events: await alarmEvents(app.db, alarm.alarmId) };
    },
  );

  const transitions = [
    { path: 'acknowledge', to: 'acknowledged', verb: 'acknowledged' },
    { path: 'resolve', to: 'resolved', verb: 'resolved' },
  ] as const;
  for (const { path, to, verb } of transitions) {
    app.post(
      `/alarms/:id/${path}`,
      {
        preParsing: app.requirePermission('alarms:acknowledge'),
        schema: {
          ...rulesTags,
          summary: `Mark an alarm ${verb}; the API key's name or the user's username and the time are recorded`,
          description: `Allowed from: ${ALARM_TRANSITIONS[to].join(', ')}. Otherwise 409. Needs an API key with admin, or a signed-in engineer or admin.`,
          params: AlarmParams,
          response: { 200: Alarm, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const before = await visibleAlarm(request.params.id, request.principal!.regions);
        const alarm = await transitionAlarm(app.db, before.alarmId, to, request.principal!.name);
        if (!alarm) throw conflict(await visibleAlarm(before.alarmId, null), to);
        await app.redis.publish(liveChannels(app.config.QUEUE_PREFIX).alarms, JSON.stringify(alarm)).catch(() => {});
        return alarm;
      },
    );
  }

  async function visibleAlarm(id: string, regions: string[] | null): Promise<Alarm> {
    const alarm = await getAlarm(app.db, id, regions);
    if (!alarm) throw app.httpErrors.notFound(`No alarm ${id} (within this API key's regions): list them with GET /api/v1/alarms.`);
    return alarm;
  }
};

/** Why an alarm cannot go to `to` from where it is. */
function conflict(alarm: Alarm, to: keyof typeof ALARM_TRANSITIONS): HttpError {
  const by = (who: string | null, when: string | null) => (who ? ` by ${who} at ${when}` : '');
  const where = alarm.status === 'resolved'
    ? `is resolved${by(alarm.resolvedBy, alarm.resolvedAt)}`
    : `is already acknowledged${by(alarm.acknowledgedBy, alarm.acknowledgedAt)}`;
  const hint = to === 'acknowledged' && alarm.status === 'resolved'
    ? 'a resolved alarm stays resolved; if the fault returns, the rule opens a new alarm'
    : to === 'acknowledged' ? 'it can still be resolved' : 'nothing is left to do';
  return new HttpError(409, `Alarm ${alarm.alarmId} ${where}, so it cannot be ${to}: ${hint}.`);
}

function fieldErrors(statusCode: 400 | 422, errors: FieldError[]): HttpError {
  return new HttpError(statusCode, errors.map((e) => `${e.path} ${e.message}`).join('; '), {}, errors);
}

export default alarms;
