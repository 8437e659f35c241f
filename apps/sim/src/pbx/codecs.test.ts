import { describe, expect, it } from 'vitest';
import {
  BROWSER_OFFER,
  MODULE_CATALOGUE,
  applyAllow,
  canTranslate,
  moduleFile,
  negotiate,
} from './codecs.js';

const defaults = new Set(MODULE_CATALOGUE.map((m) => m.name).filter((m) => m !== 'codec_opus.so'));
const withOpus = new Set([...defaults, 'codec_opus.so']);

describe('codecs', () => {
  it('reads disallow/allow as Asterisk does, keeping the order of allow', () => {
    expect(applyAllow([], 'all', 'opus,ulaw')).toEqual(['opus', 'ulaw']);
    expect(applyAllow([], 'all', 'ulaw,opus')).toEqual(['ulaw', 'opus']);
    expect(applyAllow(['ulaw', 'alaw'], 'alaw', undefined)).toEqual(['ulaw']);
    expect(applyAllow(['ulaw'], undefined, 'alaw,!ulaw')).toEqual(['alaw']);
    expect(applyAllow([], 'all', 'OPUS, ulaw')).toEqual(['opus', 'ulaw']);
  });

  it("negotiates the first codec of the endpoint's allow list that the phone offers", () => {
    expect(negotiate(['opus', 'ulaw'], BROWSER_OFFER)).toBe('opus');
    expect(negotiate(['ulaw', 'opus'], BROWSER_OFFER)).toBe('ulaw');
    expect(negotiate(['g729', 'alaw'], ['ulaw', 'alaw'])).toBe('alaw');
    expect(negotiate(['opus'], ['ulaw', 'alaw'])).toBeNull();
  });

  it('translates G.711 both ways with the default modules, Opus only with codec_opus', () => {
    expect(canTranslate('ulaw', 'ulaw', new Set())).toBe(true);
    expect(canTranslate('ulaw', 'alaw', defaults)).toBe(true);
    expect(canTranslate('alaw', 'slin', defaults)).toBe(true);
    expect(canTranslate('opus', 'ulaw', defaults)).toBe(false);
    expect(canTranslate('ulaw', 'opus', defaults)).toBe(false);
    expect(canTranslate('opus', 'slin', defaults)).toBe(false);
    expect(canTranslate('opus', 'ulaw', withOpus)).toBe(true);
    expect(canTranslate('opus', 'alaw', withOpus)).toBe(true);
    // Without codec_a_mu, alaw and ulaw still meet through signed linear.
    const noDirect = new Set([...defaults].filter((m) => m !== 'codec_a_mu.so'));
    expect(canTranslate('alaw', 'ulaw', noDirect)).toBe(true);
    const noUlaw = new Set(
      [...defaults].filter((m) => m !== 'codec_ulaw.so' && m !== 'codec_a_mu.so'),
    );
    expect(canTranslate('ulaw', 'slin', noUlaw)).toBe(false);
    // ... but through codec_a_mu and codec_alaw it gets there.
    const viaAlaw = new Set([...defaults].filter((m) => m !== 'codec_ulaw.so'));
    expect(canTranslate('ulaw', 'slin', viaAlaw)).toBe(true);
  });

  it('names modules by their file, with or without .so', () => {
    expect(moduleFile('codec_opus')).toBe('codec_opus.so');
    expect(moduleFile('codec_opus.so')).toBe('codec_opus.so');
    expect(MODULE_CATALOGUE.every((m) => m.name.endsWith('.so'))).toBe(true);
  });
});
