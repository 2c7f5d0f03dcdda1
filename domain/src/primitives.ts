import { Type, type TLiteral, type TSchema } from '@sinclair/typebox';

/** Identifiers are strings chosen by the source systems. */
export const Id = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:@/#-]*$',
  description: '1–128 characters: letters, digits and . _ : @ / # -, starting with a letter or digit',
});

/** ISO-8601 date-time with an explicit offset, e.g. 2026-03-01T08:30:00+08:00. */
export const Timestamp = Type.String({
  format: 'offset-date-time',
  maxLength: 40,
  description: 'ISO-8601 date-time with an offset, e.g. 2026-03-01T08:30:00+08:00 or 2026-03-01T00:30:00Z',
});

export const Money = Type.Number({ minimum: 0, maximum: 1e9, description: 'amount in the business currency' });

/** One of a fixed list of strings; messages and OpenAPI list the choices. */
export function StringEnum<const T extends readonly string[]>(values: T, description?: string) {
  const options = description ? { description } : {};
  const literals = values.map((value) => Type.Literal(value)) as TLiteral<T[number]>[];
  return Type.Union(literals, options);
}

const OFFSET_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;

/** True when `value` is a real calendar instant with an offset PostgreSQL and people agree on. */
export function isOffsetDateTime(value: string): boolean {
  const m = OFFSET_DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number, number, number, number, number, number,
  ];
  if (year < 1970 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return false;
  if (m[7] !== 'Z' && (Number(m[8]) > 18 || Number(m[9]) > 59)) return false;
  return true;
}

export type { TSchema };
