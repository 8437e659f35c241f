import { describe, expect, it } from 'vitest';
import { REPORT_MAX_RANGE_DAYS } from '@ringside/protocol';
import {
  buildQuery,
  defaultFilters,
  fieldErrors,
  parseDay,
  parseSection,
  type FilterState,
} from './filters.js';

const base: FilterState = {
  fromDay: '2026-05-01',
  toDay: '2026-05-07',
  campaignId: '',
  listId: '',
  teamId: '',
  agentId: '',
};

describe('defaultFilters', () => {
  it('is the last seven UTC days, today included', () => {
    const f = defaultFilters(Date.UTC(2026, 4, 10, 23, 59));
    expect([f.fromDay, f.toDay]).toEqual(['2026-05-04', '2026-05-10']);
  });
});

describe('parseDay', () => {
  it('reads a calendar day as its UTC midnight and refuses anything else', () => {
    expect(parseDay('2026-05-10')).toBe(Date.UTC(2026, 4, 10));
    expect(parseDay('2026-02-30')).toBeNull();
    expect(parseDay('')).toBeNull();
  });
});

describe('buildQuery', () => {
  it('sends a half-open range covering the last day, and only the set filters', () => {
    const q = buildQuery('agent-time', { ...base, campaignId: '3', agentId: ' 12 ' });
    expect(q.ok).toBe(true);
    if (!q.ok) return;
    expect(Object.fromEntries(q.params)).toEqual({
      from: '2026-05-01T00:00:00.000Z',
      to: '2026-05-08T00:00:00.000Z',
      campaignId: '3',
      agentId: '12',
    });
    expect(q.toMs - (q.fromMs ?? 0)).toBe(7 * 86_400_000);
  });
  it('sends only the filters a report takes (the server refuses the others)', () => {
    const f = { ...base, campaignId: '3', listId: '4', teamId: '5', agentId: '6' };
    const out = buildQuery('outbound', f, 'list');
    expect(out.ok && Object.fromEntries(out.params)).toMatchObject({
      campaignId: '3',
      listId: '4',
      groupBy: 'list',
    });
    expect(out.ok && [out.params.has('teamId'), out.params.has('agentId')]).toEqual([false, false]);
    const comp = buildQuery('compliance', f);
    expect(comp.ok && Object.fromEntries(comp.params)).toEqual({
      to: '2026-05-08T00:00:00.000Z',
      campaignId: '3',
    });
  });
  it(`refuses a range over ${REPORT_MAX_RANGE_DAYS} days on the "to" field, as the server does`, () => {
    expect(buildQuery('outbound', { ...base, fromDay: '2025-01-01', toDay: '2026-01-01' }).ok).toBe(
      true,
    );
    const q = buildQuery('outbound', { ...base, fromDay: '2025-01-01', toDay: '2026-01-02' });
    expect(q).toEqual({
      ok: false,
      errors: { to: `the range may span at most ${REPORT_MAX_RANGE_DAYS} days` },
    });
  });
  it('refuses a backwards range, a missing day and a malformed id, each on its field', () => {
    expect(buildQuery('agent-time', { ...base, toDay: '2026-04-01' })).toEqual({
      ok: false,
      errors: { to: 'to must be after from' },
    });
    expect(buildQuery('agent-time', { ...base, fromDay: '' })).toEqual({
      ok: false,
      errors: { from: 'pick a day' },
    });
    const bad = buildQuery('agent-time', { ...base, agentId: 'bob' });
    expect(!bad.ok && bad.errors.agentId).toBe('must be a positive integer id');
  });
  it('does not need a start day for compliance (always 30 days)', () => {
    expect(buildQuery('compliance', { ...base, fromDay: '' }).ok).toBe(true);
  });
});

describe('fieldErrors', () => {
  it("puts the server's issues next to the filter they name, prefixed or not", () => {
    expect(
      fieldErrors([
        { path: 'query.to', message: 'the range may span at most 366 days' },
        { path: 'listId', message: 'does not apply to this report' },
        { path: 'query.listId', message: 'must be a positive integer id' },
      ]),
    ).toEqual({
      to: 'the range may span at most 366 days',
      listId: 'does not apply to this report; must be a positive integer id',
    });
  });
  it('keeps an issue that names no filter for the form, with its path', () => {
    expect(fieldErrors([{ path: 'query.groupBy', message: 'Invalid option' }])).toEqual({
      form: 'query.groupBy: Invalid option',
    });
  });
});

describe('parseSection', () => {
  it('reads the report and its argument from the hash, defaulting to agent time', () => {
    expect(parseSection('lead-history/42')).toEqual({ report: 'lead-history', arg: '42' });
    expect(parseSection('outbound')).toEqual({ report: 'outbound', arg: '' });
    expect(parseSection('')).toEqual({ report: 'agent-time', arg: '' });
    expect(parseSection('nope/1')).toEqual({ report: 'agent-time', arg: '' });
  });
});
