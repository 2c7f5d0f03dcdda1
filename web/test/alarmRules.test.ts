import { ALARM_RULE_KINDS, ALARM_RULE_PARAMS, ALARM_SEVERITIES, type AlarmRule } from '@servicetower/domain';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/http';
import { paramsText, RULE_KINDS, RULE_PARAMS, RULE_SEVERITIES, ruleBody, ruleDraft, ruleFieldErrors, ruleFieldOf } from '../src/lib/alarmRules';

const rule: AlarmRule = {
  ruleId: 'panel-hot', modelId: 'display-pro', sensor: 'panel_temp', kind: 'limit', params: { high: 55, holdSeconds: 0 }, severity: 'critical',
  escalateAfterSeconds: null, createServiceOrder: false, productLine: null, enabled: true, updatedAt: '2026-03-01T00:00:00Z',
};

describe('alarm rule form', () => {
  it('offers exactly the domain’s kinds, severities and parameters', () => {
    expect(RULE_KINDS).toEqual(ALARM_RULE_KINDS);
    expect(RULE_SEVERITIES).toEqual(ALARM_SEVERITIES);
    expect(RULE_PARAMS).toEqual(ALARM_RULE_PARAMS);
  });

  it('sends an edited rule back whole, as it was read', () => {
    expect(ruleBody(ruleDraft(rule))).toEqual({
      modelId: 'display-pro', sensor: 'panel_temp', kind: 'limit', params: { high: 55, holdSeconds: 0 }, severity: 'critical',
      createServiceOrder: false, enabled: true,
    });
  });

  it('sends only the chosen kind’s parameters, and leaves blanks out for the server to name', () => {
    const draft = { ...ruleDraft(rule), kind: 'rate' as const, params: { high: 55, holdSeconds: 0, maxPerMinute: 4, windowSeconds: '' } };
    expect(ruleBody(draft).params).toEqual({ maxPerMinute: 4 });
  });

  it('reads number inputs that hold text, trims ids, and sends the optional fields only when given', () => {
    const draft = {
      ...ruleDraft(null), ruleId: 'x', modelId: ' display-pro ', sensor: 'panel_temp ', params: { low: '-5', holdSeconds: '30' },
      escalateAfterSeconds: 600, createServiceOrder: true, productLine: 'displays',
    };
    expect(ruleBody(draft)).toEqual({
      modelId: 'display-pro', sensor: 'panel_temp', kind: 'limit', params: { low: -5, holdSeconds: 30 }, severity: 'warning',
      escalateAfterSeconds: 600, createServiceOrder: true, productLine: 'displays', enabled: true,
    });
  });

  it('starts a new rule as an enabled warning limit with nothing filled in', () => {
    expect(ruleDraft()).toMatchObject({ ruleId: '', kind: 'limit', severity: 'warning', params: {}, enabled: true, createServiceOrder: false });
  });

  it('puts each of the server’s complaints beside the field it names', () => {
    expect(ruleFieldOf('body/params/high')).toBe('params.high');
    expect(ruleFieldOf('body/modelId')).toBe('modelId');
    expect(ruleFieldOf('body')).toBe('');
    expect(ruleFieldOf('params/id')).toBe('ruleId');
    const error = new ApiError(400, 'body/params/high must be at least low (90), got 10; body/params/holdSeconds is required for a limit rule', {
      errors: [
        { path: 'body/params/high', message: 'must be at least low (90), got 10' },
        { path: 'body/params/holdSeconds', message: 'is required for a limit rule' },
        { path: 'body', message: "must have required property 'sensor'" },
      ],
    });
    expect(ruleFieldErrors(error)).toEqual({
      'params.high': 'must be at least low (90), got 10',
      'params.holdSeconds': 'is required for a limit rule',
      '': "must have required property 'sensor'",
    });
    expect(ruleFieldErrors(new ApiError(403, 'Your role (viewer) may not use this route'))).toEqual({});
    expect(ruleFieldErrors(new Error('offline'))).toEqual({});
  });

  it('shows a rule’s parameters on one line, in its kind’s order', () => {
    expect(paramsText(rule)).toBe('holdSeconds 0, high 55');
    expect(paramsText({ kind: 'drift', params: { k: 3, baselineCount: 50, recentCount: 5 } })).toBe('baselineCount 50, recentCount 5, k 3');
  });
});
