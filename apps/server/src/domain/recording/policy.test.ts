import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bridgedMs,
  consentNotice,
  isTwoPartyConsentState,
  mayStartOnDemand,
  recordFromStart,
  recordingBucket,
  segmentName,
  stateCode,
  TWO_PARTY_CONSENT_STATES,
} from './policy.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${i.toString(36)}x${i * 7919}`);

describe('recordFromStart', () => {
  it('records every call in mode all and none in modes none and on_demand', () => {
    for (const id of ids(50)) {
      expect(recordFromStart({ recordingMode: 'all', recordingPct: 0 }, id)).toBe('policy');
      expect(recordFromStart({ recordingMode: 'none', recordingPct: 100 }, id)).toBeNull();
      expect(recordFromStart({ recordingMode: 'on_demand', recordingPct: 100 }, id)).toBeNull();
    }
  });

  it('draws the same answer for the same call id every time (every process agrees)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 100 }),
        (id, pct) => {
          const p = { recordingMode: 'percent' as const, recordingPct: pct };
          expect(recordFromStart(p, id)).toBe(recordFromStart(p, id));
        },
      ),
    );
  });

  it('records no call at 0 %, every call at 100 %', () => {
    for (const id of ids(200)) {
      expect(recordFromStart({ recordingMode: 'percent', recordingPct: 0 }, id)).toBeNull();
      expect(recordFromStart({ recordingMode: 'percent', recordingPct: 100 }, id)).toBe('sampled');
    }
  });

  it('records about the share asked for over many calls (30 % of 20,000 within 1.5 points)', () => {
    const n = 20_000;
    let hit = 0;
    for (const id of ids(n)) {
      if (recordFromStart({ recordingMode: 'percent', recordingPct: 30 }, id)) hit += 1;
    }
    expect(Math.abs((hit / n) * 100 - 30)).toBeLessThan(1.5);
  });

  it('a call sampled at a lower share is sampled at every higher share (monotone)', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 0, max: 99 }), (id, pct) => {
        const lo = recordFromStart({ recordingMode: 'percent', recordingPct: pct }, id);
        const hi = recordFromStart({ recordingMode: 'percent', recordingPct: pct + 1 }, id);
        if (lo) expect(hi).toBe('sampled');
      }),
    );
  });

  it('buckets are 0..99 and a known id keeps its bucket (the draw never changes between releases)', () => {
    fc.assert(
      fc.property(fc.string(), (id) => {
        const b = recordingBucket(id);
        expect(Number.isInteger(b) && b >= 0 && b < 100).toBe(true);
      }),
    );
    // FNV-1a 32 of "abc" is 0x1a47e90b = 440920331 -> 31.
    expect(recordingBucket('abc')).toBe(31);
  });
});

describe('mayStartOnDemand', () => {
  it('lets the Record button start a call in every mode but none', () => {
    expect(mayStartOnDemand({ recordingMode: 'on_demand' })).toBe(true);
    expect(mayStartOnDemand({ recordingMode: 'percent' })).toBe(true);
    expect(mayStartOnDemand({ recordingMode: 'all' })).toBe(true);
    expect(mayStartOnDemand({ recordingMode: 'none' })).toBe(false);
  });
});

describe('consentNotice', () => {
  const lead = (state: string | null, recordingConsent: 'always' | 'never' | null = null) => ({
    state,
    recordingConsent,
  });

  it('plays nothing for a call that is not recorded, whatever the rule', () => {
    expect(consentNotice({ consentMode: 'all' }, lead('CA', 'always'), false)).toEqual({
      play: false,
      why: 'not_recorded',
    });
  });

  it("follows the lead's override before the campaign's mode", () => {
    expect(consentNotice({ consentMode: 'off' }, lead('TX', 'always'), true).play).toBe(true);
    expect(consentNotice({ consentMode: 'all' }, lead('CA', 'never'), true)).toEqual({
      play: false,
      why: 'lead_never',
    });
  });

  it('mode all plays to everyone, mode off to nobody', () => {
    expect(consentNotice({ consentMode: 'all' }, lead('TX'), true).play).toBe(true);
    expect(consentNotice({ consentMode: 'off' }, lead('CA'), true).play).toBe(false);
  });

  it('mode two_party plays to two-party-consent states and to unknown states, not to others', () => {
    expect(consentNotice({ consentMode: 'two_party' }, lead('CA'), true)).toEqual({
      play: true,
      why: 'two_party_state',
    });
    expect(consentNotice({ consentMode: 'two_party' }, lead('Florida'), true).play).toBe(true);
    expect(consentNotice({ consentMode: 'two_party' }, lead(' wa '), true).play).toBe(true);
    expect(consentNotice({ consentMode: 'two_party' }, lead('TX'), true)).toEqual({
      play: false,
      why: 'one_party_state',
    });
    expect(consentNotice({ consentMode: 'two_party' }, lead('OR'), true).play).toBe(false);
    expect(consentNotice({ consentMode: 'two_party' }, lead(null), true)).toEqual({
      play: true,
      why: 'state_unknown',
    });
    expect(consentNotice({ consentMode: 'two_party' }, lead('Atlantis'), true).why).toBe(
      'state_unknown',
    );
  });
});

describe('two-party-consent states', () => {
  it('lists the thirteen states of docs/recording.md', () => {
    expect([...TWO_PARTY_CONSENT_STATES].sort()).toEqual(
      ['CA', 'CT', 'DE', 'FL', 'IL', 'MA', 'MD', 'MI', 'MT', 'NH', 'NV', 'PA', 'WA'].sort(),
    );
    expect(isTwoPartyConsentState('New Hampshire')).toBe(true);
    expect(isTwoPartyConsentState('NY')).toBe(false);
    expect(isTwoPartyConsentState(null)).toBe(false);
  });

  it('reads codes and full names, any case', () => {
    expect(stateCode('ca')).toBe('CA');
    expect(stateCode('massachusetts')).toBe('MA');
    expect(stateCode('  ')).toBeNull();
    expect(stateCode('Nowhere')).toBeNull();
  });
});

describe('segments', () => {
  it('names each segment rec-<callId>-<seq>', () => {
    expect(segmentName('c123', 2)).toBe('rec-c123-2');
  });

  it('bridged time is the sum of the segments, an open one counting 0', () => {
    expect(bridgedMs([{ durationMs: 1500 }, { durationMs: null }, { durationMs: 2500 }])).toBe(
      4000,
    );
  });
});
