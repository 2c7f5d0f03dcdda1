import { describe, expect, it } from 'vitest';
import { filterQuery, hasExplicitPeriod, parseFilters, withFilters } from '../src/lib/filters';
import { addMonths, matchingPreset, presetPeriod } from '../src/lib/period';

const TODAY = '2026-03-18';

describe('filters in the URL query', () => {
  it('reads a shared link back exactly', () => {
    const f = parseFilters({ from: '2025-04-01', to: '2026-04-01', region: 'north', productLine: 'washers', interval: 'week' }, TODAY, '12m');
    expect(f).toEqual({ from: '2025-04-01', to: '2026-04-01', region: 'north', productLine: 'washers', interval: 'week' });
  });

  it('falls back to the view default for a missing, malformed or reversed period', () => {
    const twelve = presetPeriod('12m', TODAY);
    expect(parseFilters({}, TODAY, '12m')).toMatchObject(twelve);
    expect(parseFilters({ from: '2026-02-30', to: '2026-03-01' }, TODAY, '12m')).toMatchObject(twelve);
    expect(parseFilters({ from: '2026-03-01', to: '2026-02-01' }, TODAY, '12m')).toMatchObject(twelve);
    expect(parseFilters({ interval: 'year' }, TODAY, '12m').interval).toBe('month');
    expect(hasExplicitPeriod({ from: '2026-01-01', to: '2026-02-01' })).toBe(true);
    expect(hasExplicitPeriod({ from: '2026-01-01' })).toBe(false);
  });

  it('changes only the keys asked for and drops cleared ones', () => {
    const next = withFilters({ from: '2026-01-01', to: '2026-02-01', region: 'north', tab: 'users' }, { region: null, productLine: 'tv' });
    expect(next).toEqual({ from: '2026-01-01', to: '2026-02-01', productLine: 'tv', tab: 'users' });
  });

  it('carries only the filter keys from one view to the next', () => {
    expect(filterQuery({ from: '2026-01-01', to: '2026-02-01', metric: 'backlog', region: ['east', 'west'] })).toEqual({ from: '2026-01-01', to: '2026-02-01', region: 'east' });
  });
});

describe('periods', () => {
  it('builds presets as [from, to) local dates', () => {
    expect(presetPeriod('lastMonth', TODAY)).toEqual({ from: '2026-02-01', to: '2026-03-01' });
    expect(presetPeriod('3m', TODAY)).toEqual({ from: '2026-01-01', to: '2026-04-01' });
    expect(presetPeriod('12m', TODAY)).toEqual({ from: '2025-04-01', to: '2026-04-01' });
    expect(presetPeriod('12m', '2026-01-31')).toEqual({ from: '2025-02-01', to: '2026-02-01' });
    expect(matchingPreset({ from: '2026-01-01', to: '2026-04-01' }, TODAY)).toBe('3m');
    expect(matchingPreset({ from: '2026-01-02', to: '2026-04-01' }, TODAY)).toBeNull();
  });

  it('steps months across year ends', () => {
    expect(addMonths('2026-01-15', -1)).toBe('2025-12-01');
    expect(addMonths('2025-12-01', 1)).toBe('2026-01-01');
  });
});
