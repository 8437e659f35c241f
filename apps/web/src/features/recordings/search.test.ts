import { describe, expect, it } from 'vitest';
import { searchQuery } from './RecordingsSearch.js';

const blank = { campaignId: '', agentId: '', fromDay: '', toDay: '', state: '' };

describe('recordings search form', () => {
  it('sends only the filters given, the last day included', () => {
    const r = searchQuery(
      { ...blank, campaignId: '3', fromDay: '2026-12-01', toDay: '2026-12-07', state: 'stored' },
      2,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.fromEntries(r.q)).toEqual({
      campaignId: '3',
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-08T00:00:00.000Z',
      state: 'stored',
      page: '2',
      pageSize: '25',
    });
  });
  it('refuses, by field, an agent id that is not one and a range that runs backwards', () => {
    const r = searchQuery(
      { ...blank, agentId: 'bob', fromDay: '2026-12-07', toDay: '2026-12-01' },
      1,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['agentId', 'to']);
    expect(r.errors.to).toBe('to must be after from');
  });
});
