import { afterEach, describe, expect, it, vi } from 'vitest';
import { csvCell, csvFileName, toCsv } from '../src/lib/csv';

describe('CSV export', () => {
  it('prefixes text a spreadsheet would run as a formula with a quote', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(csvCell(`${start}SUM(A1)`).replace(/^"|"$/g, '')).toBe(`'${start}SUM(A1)`);
    }
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
  });

  it('keeps numbers as numbers, negative ones included, and leaves missing figures empty', () => {
    expect(csvCell(-3.5)).toBe('-3.5');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('quotes separators, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('北京')).toBe('北京');
  });

  it('writes a header row and one CRLF line per row', () => {
    const csv = toCsv([{ header: 'outlet', value: (r: { id: string; n: number }) => r.id }, { header: 'orders', value: (r) => r.n }], [
      { id: 'bj-1', n: 12 },
      { id: '-x', n: -1 },
    ]);
    expect(csv).toBe("outlet,orders\r\nbj-1,12\r\n'-x,-1\r\n");
  });

  describe('file names', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('are safe on every system and dated', () => {
      expect(csvFileName('supply cycle/by source', new Date('2026-03-05T10:00:00Z'))).toBe('supply-cycle-by-source-2026-03-05.csv');
    });

    it('carry the local date, not the UTC one: early morning in Shanghai is still the day before in UTC', () => {
      vi.stubEnv('TZ', 'Asia/Shanghai');
      expect(csvFileName('fleet', new Date('2026-03-04T23:30:00Z'))).toBe('fleet-2026-03-05.csv');
      vi.stubEnv('TZ', 'America/Los_Angeles');
      expect(csvFileName('fleet', new Date('2026-03-05T03:00:00Z'))).toBe('fleet-2026-03-04.csv');
    });
  });
});
