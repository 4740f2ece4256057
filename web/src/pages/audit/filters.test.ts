import { describe, expect, it } from 'vitest';
import { filterProblem, filtersFromParams, filtersToParams, startOfDay, toApiFilter } from './filters.js';

const NONE = { actor: '', action: '', from: '', to: '' };

describe('audit filters', () => {
  it('sends from as the start of that local day and to as the start of the next (exclusive)', () => {
    const api = toApiFilter({ ...NONE, from: '2025-03-01', to: '2025-03-01' });
    expect(api.from).toBe(new Date(2025, 2, 1).getTime());
    expect(api.to).toBe(new Date(2025, 2, 2).getTime());
  });

  it('rolls the day after the end of a month into the next month', () => {
    expect(toApiFilter({ ...NONE, to: '2024-02-29' }).to).toBe(new Date(2024, 2, 1).getTime());
  });

  it('leaves empty filters out and trims text', () => {
    expect(toApiFilter({ ...NONE, actor: '  alice ', action: 'item.*' })).toEqual({ actor: 'alice', action: 'item.*' });
    expect(toApiFilter(NONE)).toEqual({});
  });

  it('refuses days that do not exist and a start after the end', () => {
    expect(startOfDay('2025-02-30')).toBeUndefined();
    expect(startOfDay('yesterday')).toBeUndefined();
    expect(filterProblem({ ...NONE, from: '2025-02-30' })).toBe('badFrom');
    expect(filterProblem({ ...NONE, to: '2025-13-01' })).toBe('badTo');
    expect(filterProblem({ ...NONE, from: '2025-03-02', to: '2025-03-01' })).toBe('fromAfterTo');
    expect(filterProblem({ ...NONE, from: '2025-03-01', to: '2025-03-01' })).toBeNull();
  });

  it('round-trips through the URL, dropping empty values', () => {
    const f = { actor: 'bob', action: '', from: '2025-01-01', to: '' };
    const params = filtersToParams(f);
    expect(params.toString()).toBe('actor=bob&from=2025-01-01');
    expect(filtersFromParams(params)).toEqual(f);
  });
});
