import { describe, expect, it } from 'vitest';
import { leadOf } from './fixtures.test-helper.js';
import { fillScript } from './script.js';
import { matchShortcut } from './shortcuts.js';

describe('campaign script', () => {
  it('fills lead fields, custom fields and the agent name', () => {
    const r = fillScript(
      'Hello {{first_name}}, this is {{agent_name}} about your {{ product }} in {{city}}.',
      leadOf({
        id: '1',
        phone: '+12125550100',
        firstName: 'Ada',
        city: 'Chicago',
        custom: { product: 'policy' },
      }),
      'Sam',
    );
    expect(r.text).toBe('Hello Ada, this is Sam about your policy in Chicago.');
    expect(r.missing).toEqual([]);
  });

  it('leaves no template syntax for a missing field and names it', () => {
    const r = fillScript(
      'Hi {{first_name}} {{last_name}}',
      leadOf({ id: '1', phone: '+1' }),
      'Sam',
    );
    expect(r.text).toBe('Hi  ');
    expect(r.missing).toEqual(['first_name', 'last_name']);
  });
});

describe('keyboard shortcuts', () => {
  const k = (key: string, over: Partial<Parameters<typeof matchShortcut>[0]> = {}) =>
    matchShortcut({ key, altKey: true, ctrlKey: false, metaKey: false, ...over });

  it('maps Alt + letter to its action', () => {
    expect(k('r')).toBe('ready');
    expect(k('H')).toBe('hangup');
    expect(k('/')).toBe('help');
  });

  it('uses the physical key when the layout types a symbol (Option on a Mac)', () => {
    expect(k('®', { code: 'KeyR' })).toBe('ready');
  });

  it('ignores plain typing and Ctrl or Meta combinations', () => {
    expect(k('r', { altKey: false })).toBeNull();
    expect(k('r', { ctrlKey: true })).toBeNull();
    expect(k('r', { metaKey: true })).toBeNull();
    expect(k('x')).toBeNull(); // Alt+X has no action
    expect(k('q')).toBe('hand'); // Alt+Q raises the hand (Messages)
  });
});
