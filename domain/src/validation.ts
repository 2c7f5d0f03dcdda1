import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { isOffsetDateTime } from './primitives.js';

FormatRegistry.Set('offset-date-time', isOffsetDateTime);

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
  return {
    check: (value): value is T => compiled.Check(value),
    errors(value) {
      const byPath = new Map<string, FieldError>();
      for (const error of compiled.Errors(value)) {
        // A missing field also reports its type mismatch: keep the first word about a path.
        if (!byPath.has(error.path)) byPath.set(error.path, { path: error.path, message: describe(error) });
      }
      return [...byPath.values()];
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
    case ValueErrorType.StringPattern:
    case ValueErrorType.StringFormat:
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
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
