import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { WhyNotDialedResponse } from '@ringside/protocol';
import { describeDays } from '../admin/state-rules/StateRulesSection.js';
import { WhyNotDialedView } from './WhyNotDialedPanel.js';

const answer: WhyNotDialedResponse = {
  leadId: '42',
  atMs: Date.UTC(2026, 0, 13, 13, 30),
  dialable: false,
  reasons: [
    {
      code: 'CALLING_WINDOW',
      message: 'it is 07:30 in America/Chicago, outside the calling window 08:00-21:00',
      untilMs: Date.UTC(2026, 0, 13, 14, 0),
    },
    { code: 'IN_HOPPER', message: 'queued in the hopper at position 3 of 9', untilMs: null },
  ],
  timeZone: {
    candidates: [
      {
        zone: 'America/Chicago',
        localTime: '07:30',
        inside: false,
        sources: ['postal_code 42101', 'area_code 270'],
      },
      { zone: 'America/New_York', localTime: '08:30', inside: true, sources: ['area_code 270'] },
    ],
    window: '08:00-21:00',
    decidingZone: 'America/Chicago',
  },
  states: [
    {
      state: 'KY',
      sources: ['postal_code', 'area_code'],
      rule: {
        window: '10:00-21:00',
        maxAttemptsPer24h: null,
        statute: 'Ky. Rev. Stat. § 367.46955(15)',
      },
    },
  ],
  attempts: { made: 1, max: 6, last24h: 1, nextEligibleAtMs: null },
  dnc: [],
  hopper: { position: 3, leased: false, size: 9 },
};

describe('the lead screen panel "Why not dialed?"', () => {
  it('names each rule, the zone that decides with its local time, and the state rule', () => {
    const html = renderToStaticMarkup(createElement(WhyNotDialedView, { data: answer }));
    expect(html).toContain('1 rule(s) hold this lead back');
    expect(html).toContain('<strong>Calling window</strong>: it is 07:30 in America/Chicago');
    expect(html).toContain('until 2026-01-13 14:00:00 UTC');
    expect(html).toMatch(
      /aria-current="true"><td>America\/Chicago \(decides\)<\/td><td>07:30<\/td><td>no<\/td>/,
    );
    expect(html).toContain('postal_code 42101, area_code 270');
    expect(html).toContain('KY (postal_code, area_code): today 10:00-21:00 (Ky. Rev. Stat.');
    expect(html).toContain('hopper position 3 of 9');
  });

  it('says when nothing holds the lead back', () => {
    const html = renderToStaticMarkup(
      createElement(WhyNotDialedView, { data: { ...answer, dialable: true, reasons: [] } }),
    );
    expect(html).toContain('Nothing holds this lead back');
  });

  it("describes a state rule's days in one line", () => {
    const fl = Array.from({ length: 7 }, () => ['08:00', '20:00'] as [string, string]);
    expect(describeDays(fl)).toBe('every day 08:00-20:00');
    expect(describeDays([null, ...fl.slice(1)])).toMatch(/^Sun no calls, Mon 08:00-20:00/);
  });
});
