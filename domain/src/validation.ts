import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { isOffsetDateTime } from './primitives.js';

/** Offsets PostgreSQL reads: at most 15:59 either way (those in use run from −12:00 to +14:00). */
const MAX_OFFSET_MINUTES = 15 * 60 + 59;
/** The last instant JavaScript and PostgreSQL both write as an ordinary four-digit year: the end of 9999 UTC. */
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * A date-time of the `offset-date-time` format that can also be stored and read back: a real calendar
 * instant (isOffsetDateTime) whose offset PostgreSQL accepts (2026-03-01T10:00:00+16:00 is refused by it) and
 * that falls before year 10000 in UTC (9999-12-31T23:59:59-18:00 does not).
 */
export function isStorableDateTime(value: string): boolean {
  if (!isOffsetDateTime(value)) return false;
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(value);
  if (offset && Number(offset[2]) * 60 + Number(offset[3]) > MAX_OFFSET_MINUTES) return false;
  const instant = Date.parse(value);
  return Number.isFinite(instant) && instant <= LAST_INSTANT;
}

FormatRegistry.Set('offset-date-time', isStorableDateTime);

/** Text PostgreSQL cannot hold: the NUL character, and half of a UTF-16 surrogate pair without its other half. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

type Scanner = (value: unknown) => boolean;

const scanText: Scanner = (value) => typeof value === 'string' && UNSTORABLE.test(value);

/** Whether any string anywhere inside the value is text the database cannot store. */
const scanAll: Scanner = (value) => {
  if (typeof value === 'string') return UNSTORABLE.test(value);
  if (value === null || typeof value !== 'object') return false;
  const stack: object[] = [value];
  while (stack.length > 0) {
    const item = stack.pop() as Record<string, unknown>;
    for (const key in item) {
      const inner = item[key];
      if (typeof inner === 'string') {
        if (UNSTORABLE.test(inner)) return true;
      } else if (inner !== null && typeof inner === 'object') {
        stack.push(inner);
      }
    }
  }
  return false;
};

/**
 * A check for unstorable text in values of `schema` (already valid for it) that looks only where the schema
 * lets free text be: numbers, choices and date-times are passed over, so a telemetry record of 20,000 readings
 * costs a look at its device id, not a walk over every value. Null when the schema holds no free text. Only
 * the properties a schema names are looked at: others are not stored.
 */
function scannerFor(schema: Record<string, unknown>): Scanner | null {
  if ('const' in schema || Array.isArray(schema.enum)) return null;
  const options = (schema.anyOf ?? schema.oneOf ?? schema.allOf) as Array<Record<string, unknown>> | undefined;
  if (options) return options.every((option) => scannerFor(option) === null) ? null : scanAll;
  switch (schema.type) {
    case 'string':
      return schema.format === 'offset-date-time' ? null : scanText;
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
      return null;
    case 'array': {
      const items = scannerFor((schema.items ?? {}) as Record<string, unknown>);
      return items && ((value) => Array.isArray(value) && value.some(items));
    }
    case 'object': {
      const properties = Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)
        .map(([name, property]) => [name, scannerFor(property)] as const)
        .filter((entry): entry is readonly [string, Scanner] => entry[1] !== null);
      const patterned = Object.values((schema.patternProperties ?? {}) as Record<string, Record<string, unknown>>).map(scannerFor).filter((s): s is Scanner => s !== null);
      if (properties.length === 0 && patterned.length === 0) return null;
      return (value) => {
        if (value === null || typeof value !== 'object') return false;
        const object = value as Record<string, unknown>;
        if (properties.some(([name, scan]) => object[name] !== undefined && scan(object[name]))) return true;
        return patterned.length > 0 && Object.values(object).some((inner) => patterned.some((scan) => scan(inner)));
      };
    }
    default:
      return scanAll;
  }
}

/**
 * The strings inside a value that the database cannot store, with their JSON pointers (`limit` at most).
 * Walked without recursion, so a value nested however deep costs no stack.
 */
function unstorableStrings(value: unknown, limit: number): FieldError[] {
  const found: FieldError[] = [];
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0 && found.length < limit) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (UNSTORABLE.test(item)) {
        found.push({ path, message: item.includes('\u0000') ? 'must not contain the NUL character (\\u0000)' : 'must be valid Unicode text: it holds half of a surrogate pair' });
      }
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${path}/${i}`]);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, inner] of Object.entries(item)) stack.push([inner, `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`]);
    }
  }
  return found;
}

export interface FieldError {
  /** JSON pointer to the field inside the record, e.g. `/readings/3/at`. */
  path: string;
  message: string;
}

export interface Validator<T> {
  check(value: unknown): value is T;
  /** Every problem with `value`, one per field, in words a person can act on. */
  errors(value: unknown): FieldError[];
}

export function compileValidator<T>(schema: TSchema): Validator<T> {
  const compiled: TypeCheck<TSchema> = TypeCompiler.Compile(schema);
  const unstorable = scannerFor(schema as Record<string, unknown>);
  return {
    // Beyond the schema, every string must be text the database can store: a NUL in a note or a name
    // otherwise fails the insert (a 500 on the API, a failed job in the workers).
    check: (value): value is T => {
      try {
        return compiled.Check(value) && !unstorable?.(value);
      } catch (error) {
        // Checking uniqueItems hashes items recursively: arrays nested thousands deep overflow the stack.
        if (error instanceof RangeError) return false;
        throw error;
      }
    },
    errors(value) {
      const byPath = new Map<string, FieldError>();
      try {
        for (const error of compiled.Errors(value)) {
          // A missing field also reports its type mismatch: keep the first word about a path.
          if (!byPath.has(error.path)) byPath.set(error.path, { path: error.path, message: describe(error) });
        }
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        if (byPath.size === 0) byPath.set('', { path: '', message: 'is nested too deep to be read: send plain records' });
      }
      // Only a value of the schema's shape is walked for text: its depth is the schema's.
      return byPath.size > 0 ? [...byPath.values()] : unstorableStrings(value, 100);
    },
  };
}

function describe(error: ValueError): string {
  const s = error.schema as Record<string, unknown>;
  const got = shortValue(error.value);
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.ObjectAdditionalProperties:
      return s.patternProperties
        ? `is not ${String(s.keyDescription ?? 'an allowed key')}`
        : 'is not a known field: remove it or check its spelling';
    case ValueErrorType.Object:
      return `must be an object, got ${got}`;
    case ValueErrorType.Array:
      return `must be an array, got ${got}`;
    case ValueErrorType.ArrayMinItems:
      return `must hold at least ${String(s.minItems)} item(s)`;
    case ValueErrorType.ArrayMaxItems:
      return `must hold at most ${String(s.maxItems)} items: split the record`;
    case ValueErrorType.ObjectMinProperties:
      return s.minProperties === 1 ? 'must not be empty' : `must hold at least ${String(s.minProperties)} entries`;
    case ValueErrorType.ObjectMaxProperties:
      return `must hold at most ${String(s.maxProperties)} entries`;
    case ValueErrorType.Number:
    case ValueErrorType.Integer:
      return typeof error.value === 'number'
        ? `must be a finite ${error.type === ValueErrorType.Integer ? 'whole number' : 'number'}, got ${got}`
        : `must be a ${error.type === ValueErrorType.Integer ? 'whole number' : 'number'}, got ${got}`;
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `must be at least ${String(s.minimum)}, got ${got}`;
    case ValueErrorType.NumberExclusiveMinimum:
      return `must be greater than ${String(s.exclusiveMinimum)}, got ${got}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `must be at most ${String(s.maximum)}, got ${got}`;
    case ValueErrorType.String:
      return Array.isArray(s.enum) ? mustBeOneOf(s.enum, got) : `must be a string, got ${got}`;
    case ValueErrorType.StringMinLength:
      return s.minLength === 1 ? 'must not be empty' : `must be at least ${String(s.minLength)} characters`;
    case ValueErrorType.StringMaxLength:
      return `must be at most ${String(s.maxLength)} characters`;
    case ValueErrorType.StringFormat:
      if (s.format === 'offset-date-time' && typeof error.value === 'string' && isOffsetDateTime(error.value)) {
        return `must have an offset between -15:59 and +15:59 and fall before the year 10000, got ${got}`;
      }
      return `must be ${String(s.description ?? `of the form ${String(s.format)}`)}, got ${got}`;
    case ValueErrorType.StringPattern:
      return `must be ${String(s.description ?? `of the form ${String(s.pattern ?? s.format)}`)}, got ${got}`;
    case ValueErrorType.Union: {
      const choices = (s.anyOf as Array<{ const?: unknown }> | undefined)?.map((option) => option.const);
      if (choices?.every((choice) => choice !== undefined)) return mustBeOneOf(choices, got);
      return `does not match any allowed shape, got ${got}`;
    }
    default:
      return `${error.message.toLowerCase()}, got ${got}`;
  }
}

function mustBeOneOf(values: unknown[], got: string): string {
  return `must be one of ${values.map(String).join(', ')}, got ${got}`;
}

function shortValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Nested too deep to write out (or circular): say what it is instead.
    text = Array.isArray(value) ? 'an array nested too deep to show' : typeof value === 'object' && value !== null ? 'an object nested too deep to show' : typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
