import { describe, expect, it } from 'vitest';
import type { TransferTargetAgent } from '@ringside/protocol';
import { externalNumber, targetStatus } from './TransferPicker.js';

describe('externalNumber', () => {
  it('accepts +E.164 written with the usual separators, normalised', () => {
    expect(externalNumber('+1 (415) 555-0123')).toBe('+14155550123');
    expect(externalNumber('+44 20.7946.0958')).toBe('+442079460958');
  });

  it('refuses what is not +E.164: no plus, a leading 0, too short, too long, letters', () => {
    for (const bad of [
      '14155550123',
      '+04155550123',
      '+12345',
      '+1234567890123456',
      '+1415CALLNOW',
      '',
    ])
      expect(externalNumber(bad), bad).toBeNull();
  });
});

describe('targetStatus', () => {
  const agent = (over: Partial<TransferTargetAgent>): TransferTargetAgent => ({
    agentId: '7',
    displayName: 'Ada',
    state: 'READY',
    campaignId: '1',
    available: true,
    ...over,
  });

  it('says why a listed agent cannot take the transfer', () => {
    expect(targetStatus(agent({}))).toBe('Ready');
    expect(targetStatus(agent({ available: false }))).toBe('Ready, phone not connected');
    expect(targetStatus(agent({ state: 'INCALL', available: false }))).toBe('On a call');
    expect(targetStatus(agent({ state: 'WRAPUP', available: false }))).toBe('Wrap-up');
  });
});
