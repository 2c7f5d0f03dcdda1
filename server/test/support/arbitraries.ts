// fast-check arbitraries made from JSON Schemas (TypeBox schemas are JSON Schemas, and so are the ones
// of the OpenAPI document): values the schema allows, and values it refuses, for property-based tests.
import fc from 'fast-check';
import type { JsonSchema } from './routes.js';

export interface ArbitraryOptions {
  /** Arbitraries to use instead, by property name wherever it occurs (e.g. outletId: a seeded outlet). */
  overrides?: Record<string, fc.Arbitrary<unknown>>;
  /** For a Record (patternProperties): the arbitrary of its keys. */
  recordKeys?: fc.Arbitrary<string>;
  /** Most items in an array or entries in a record, whatever the schema allows (keeps runs fast). */
  maxItems?: number;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** A time the `offset-date-time` format allows: 1970–9999 local, a real calendar day, any offset up to the schema's ±18:59. */
export function offsetDateTime(maxOffsetHours = 18): fc.Arbitrary<string> {
  const two = (n: number) => String(n).padStart(2, '0');
  return fc
    .record({
      year: fc.integer({ min: 1970, max: 9999 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
      fraction: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
      offset: fc.oneof(
        fc.constant('Z'),
        fc.record({ sign: fc.constantFrom('+', '-'), hours: fc.integer({ min: 0, max: maxOffsetHours }), minutes: fc.integer({ min: 0, max: 59 }) })
          .map(({ sign, hours, minutes }) => `${sign}${two(hours)}:${two(minutes)}`),
      ),
    })
    .map((t) => {
      const day = Math.min(t.day, new Date(Date.UTC(t.year, t.month, 0)).getUTCDate());
      const seconds = t.second === undefined ? '' : `:${two(t.second)}${t.fraction === undefined ? '' : `.${t.fraction}`}`;
      return `${String(t.year).padStart(4, '0')}-${two(t.month)}-${two(day)}T${two(t.hour)}:${two(t.minute)}${seconds}${t.offset}`;
    });
}

/** Text the database can hold: any Unicode scalar values but NUL. */
function text(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc
    .string({ unit: 'binary', minLength, maxLength: Math.min(maxLength, 64) })
    .map((s) => s.replaceAll('\0', ' '))
    .filter((s) => s.length >= minLength && s.length <= maxLength);
}

/** Values `schema` allows. */
export function valid(schema: JsonSchema, options: ArbitraryOptions = {}): fc.Arbitrary<unknown> {
  const maxItems = options.maxItems ?? 5;
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.anyOf) {
    const consts = schema.anyOf.map((option) => option.const);
    if (consts.every((c) => c !== undefined)) return fc.constantFrom(...consts);
    return fc.oneof(...schema.anyOf.map((option) => valid(option, options)));
  }
  if (schema.allOf) return valid(Object.assign({}, ...schema.allOf) as JsonSchema, options);
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = num(schema.minimum) ?? (num(schema.exclusiveMinimum) !== undefined ? num(schema.exclusiveMinimum)! + 1 : -1e9);
      const max = num(schema.maximum) ?? (num(schema.exclusiveMaximum) !== undefined ? num(schema.exclusiveMaximum)! - 1 : 1e9);
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    }
    case 'number': {
      const exclusiveMin = num(schema.exclusiveMinimum);
      const exclusiveMax = num(schema.exclusiveMaximum);
      return fc.double({
        min: num(schema.minimum) ?? exclusiveMin ?? -Number.MAX_VALUE,
        max: num(schema.maximum) ?? exclusiveMax ?? Number.MAX_VALUE,
        minExcluded: exclusiveMin !== undefined,
        maxExcluded: exclusiveMax !== undefined,
        noNaN: true,
        noDefaultInfinity: true,
      });
    }
    case 'string': {
      const minLength = num(schema.minLength) ?? 0;
      const maxLength = num(schema.maxLength) ?? 200;
      if (schema.format === 'offset-date-time') return offsetDateTime();
      if (typeof schema.pattern === 'string') {
        return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= minLength && s.length <= maxLength);
      }
      return text(minLength, maxLength);
    }
    case 'array': {
      const items = valid(schema.items ?? {}, options);
      const constraints = { minLength: num(schema.minItems) ?? 0, maxLength: Math.max(num(schema.minItems) ?? 0, Math.min(num(schema.maxItems) ?? maxItems, maxItems)) };
      return schema.uniqueItems ? fc.uniqueArray(items, { ...constraints, selector: (v) => JSON.stringify(v) }) : fc.array(items, constraints);
    }
    case 'object': {
      if (schema.patternProperties) {
        const [pattern, value] = Object.entries(schema.patternProperties)[0]!;
        const keys = options.recordKeys ?? fc.stringMatching(new RegExp(pattern));
        const minKeys = num(schema.minProperties) ?? 0;
        return fc.dictionary(keys, valid(value, options), { minKeys, maxKeys: Math.max(minKeys, Math.min(num(schema.maxProperties) ?? maxItems, maxItems)) });
      }
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, options.overrides?.[name] ?? valid(property, options)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((name) => name in properties) });
    }
    default:
      return fc.oneof(fc.string(), fc.integer(), fc.boolean());
  }
}

/** A value of another JSON type than `schema` takes. */
function wrongType(schema: JsonSchema): unknown[] {
  const type = schema.anyOf ? 'string' : schema.type;
  switch (type) {
    case 'string':
      return [42, true, { a: 1 }, ['x'], null];
    case 'number':
    case 'integer':
      return ['42', 'NaN', 'Infinity', '-Infinity', true, null, [1], { value: 1 }];
    case 'boolean':
      return ['true', 1, null];
    case 'array':
      return [{}, 'x', 1, null];
    case 'object':
      return ['x', 1, [], null];
    default:
      return [];
  }
}

/** Values that break one of `schema`'s own rules (length, range, pattern, choices, format). */
function outOfRule(schema: JsonSchema): unknown[] {
  const out: unknown[] = [];
  if (schema.anyOf && schema.anyOf.every((option) => option.const !== undefined)) out.push('not-one-of-them', '');
  if (schema.type === 'string') {
    if (num(schema.maxLength) !== undefined) out.push('a'.repeat(num(schema.maxLength)! + 1));
    if ((num(schema.minLength) ?? 0) > 0) out.push('');
    if (typeof schema.pattern === 'string') out.push('bad value with spaces!', '-leading-dash', "x' OR '1'='1");
    if (schema.format === 'offset-date-time') out.push('2026-02-30T10:00:00Z', '2026-03-01T10:00:00+25:00', '2026-03-01T10:00:00', '2026-13-01T00:00:00Z', '1969-12-31T23:59:59Z', 'yesterday');
  }
  if (schema.type === 'number' || schema.type === 'integer') {
    if (num(schema.minimum) !== undefined) out.push(num(schema.minimum)! - 1);
    if (num(schema.exclusiveMinimum) !== undefined) out.push(num(schema.exclusiveMinimum));
    if (num(schema.maximum) !== undefined) out.push(num(schema.maximum)! + 1, 1e300);
    if (schema.type === 'integer') out.push(1.5, 2 ** 53 + 2);
  }
  if (schema.type === 'array') {
    if ((num(schema.minItems) ?? 0) > 0) out.push([]);
  }
  if (schema.type === 'object' && schema.patternProperties && (num(schema.minProperties) ?? 0) > 0) out.push({});
  return out;
}

/** Values `schema` refuses, each with a word on what is wrong with it. */
export function invalidValues(schema: JsonSchema): unknown[] {
  return [...wrongType(schema), ...outOfRule(schema)];
}

/**
 * A mutation of a valid object that its schema refuses, with the JSON pointer of the field a refusal must
 * name: a field of the wrong type or against its rules, a required field left out, an unknown field added.
 */
export function mutation(schema: JsonSchema): fc.Arbitrary<{ path: string; apply: (value: Record<string, unknown>) => Record<string, unknown> }> {
  const properties = Object.entries(schema.properties ?? {});
  const required = (schema.required ?? []).filter((name) => schema.properties?.[name]);
  const options: Array<fc.Arbitrary<{ path: string; apply: (value: Record<string, unknown>) => Record<string, unknown> }>> = [];
  const replaceable = properties.filter(([, property]) => invalidValues(property).length > 0);
  if (replaceable.length > 0) {
    options.push(
      fc.constantFrom(...replaceable).chain(([name, property]) =>
        fc.constantFrom(...invalidValues(property)).map((bad) => ({ path: `/${name}`, apply: (value: Record<string, unknown>) => ({ ...value, [name]: bad }) })),
      ),
    );
  }
  if (required.length > 0) {
    options.push(fc.constantFrom(...required).map((name) => ({
      path: `/${name}`,
      apply: (value: Record<string, unknown>) => Object.fromEntries(Object.entries(value).filter(([key]) => key !== name)),
    })));
  }
  if (schema.additionalProperties === false) {
    options.push(fc.constantFrom('extra', 'eventid', '__proto__x', 'constructor').map((name) => ({ path: `/${name}`, apply: (value: Record<string, unknown>) => ({ ...value, [name]: 1 }) })));
  }
  return fc.oneof(...options);
}
