import type { AlarmRule, AlarmRuleBody, AlarmRuleKind, AlarmRuleParams, AlarmSeverity } from '@servicetower/domain';
import { ApiError } from '../api/http';

/**
 * The alarm-rule form's state and what it sends: pure, so the rules (only the chosen kind's parameters are
 * sent, blanks are left out for the server to name) are tested without a DOM. Checking the values is the
 * server's: its 400 and 422 answers name each field, and `ruleFieldErrors` puts them beside the inputs.
 */

export type ParamName = keyof AlarmRuleParams;

/*
 * The domain's lists, as the form offers them. Written out here because importing them from @servicetower/domain
 * would bundle TypeBox (its module builds the schemas) into the alarms view: about 20 kB gzipped for three
 * short lists. web/test/alarmRules.test.ts fails if they ever differ from the domain's.
 */
export const RULE_KINDS = ['limit', 'rate', 'drift', 'stale'] as const satisfies readonly AlarmRuleKind[];
export const RULE_SEVERITIES = ['warning', 'critical'] as const satisfies readonly AlarmSeverity[];
/** The parameters each kind requires and accepts (the domain's ALARM_RULE_PARAMS). */
export const RULE_PARAMS: Record<AlarmRuleKind, { required: ParamName[]; optional: ParamName[] }> = {
  limit: { required: ['holdSeconds'], optional: ['low', 'high'] },
  rate: { required: ['maxPerMinute', 'windowSeconds'], optional: [] },
  drift: { required: ['baselineCount', 'recentCount', 'k'], optional: ['minDeviation'] },
  stale: { required: ['staleSeconds'], optional: [] },
};
/** A number input's v-model: a number, or '' when blank. */
type NumberText = number | string;

export interface RuleDraft {
  ruleId: string;
  modelId: string;
  sensor: string;
  kind: AlarmRuleKind;
  params: Partial<Record<ParamName, NumberText>>;
  severity: AlarmSeverity;
  escalateAfterSeconds: NumberText;
  createServiceOrder: boolean;
  productLine: string;
  enabled: boolean;
}

/** The parameters a kind takes, required first, in the order the API documents them. */
export function paramsOf(kind: AlarmRuleKind): Array<{ name: ParamName; required: boolean }> {
  const { required, optional } = RULE_PARAMS[kind];
  return [...required.map((name) => ({ name, required: true })), ...optional.map((name) => ({ name, required: false }))];
}

/** The form for a rule: an existing one to edit, or a new limit rule. */
export function ruleDraft(rule?: AlarmRule | null): RuleDraft {
  if (!rule) {
    return {
      ruleId: '', modelId: '', sensor: '', kind: 'limit', params: {}, severity: 'warning', escalateAfterSeconds: '', createServiceOrder: false,
      productLine: '', enabled: true,
    };
  }
  return {
    ruleId: rule.ruleId,
    modelId: rule.modelId,
    sensor: rule.sensor,
    kind: rule.kind,
    params: { ...rule.params },
    severity: rule.severity,
    escalateAfterSeconds: rule.escalateAfterSeconds ?? '',
    createServiceOrder: rule.createServiceOrder,
    productLine: rule.productLine ?? '',
    enabled: rule.enabled,
  };
}

const numberOf = (value: NumberText | undefined): number | undefined => {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
};

/** What PUT /api/v1/alarm-rules/:id receives: the whole rule (it replaces), the chosen kind's parameters only. */
export function ruleBody(draft: RuleDraft): AlarmRuleBody {
  const params: AlarmRuleParams = {};
  for (const { name } of paramsOf(draft.kind)) {
    const value = numberOf(draft.params[name]);
    if (value !== undefined) params[name] = value;
  }
  const escalateAfterSeconds = numberOf(draft.escalateAfterSeconds);
  const productLine = draft.productLine.trim();
  return {
    modelId: draft.modelId.trim(),
    sensor: draft.sensor.trim(),
    kind: draft.kind,
    params,
    severity: draft.severity,
    ...(escalateAfterSeconds === undefined ? {} : { escalateAfterSeconds }),
    createServiceOrder: draft.createServiceOrder,
    ...(productLine === '' ? {} : { productLine }),
    enabled: draft.enabled,
  };
}

/** The form field an API error path names: `body/params/high` → `params.high`, the URL's `params/id` → `ruleId`. */
export function ruleFieldOf(path: string): string {
  if (path === 'params/id' || path === 'params') return 'ruleId';
  if (path !== 'body' && !path.startsWith('body/')) return '';
  return path.slice('body/'.length).split('/').join('.');
}

/** The server's complaints per form field ('' for the rule as a whole), from a 400 or 422 answer. */
export function ruleFieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const listed = (error.body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(listed)) return {};
  const byField: Record<string, string> = {};
  for (const item of listed as Array<{ path?: unknown; message?: unknown }>) {
    if (typeof item?.message !== 'string') continue;
    const field = ruleFieldOf(typeof item.path === 'string' ? item.path : '');
    byField[field] = byField[field] ? `${byField[field]}; ${item.message}` : item.message;
  }
  return byField;
}

/** A rule's parameters as one line: "high 55, holdSeconds 0", in the order its kind lists them. */
export function paramsText(rule: Pick<AlarmRule, 'kind' | 'params'>): string {
  return paramsOf(rule.kind)
    .filter(({ name }) => rule.params[name] !== undefined)
    .map(({ name }) => `${name} ${rule.params[name]}`)
    .join(', ');
}
