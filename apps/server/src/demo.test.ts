import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { DEMO_DIAL_TEMPLATE, demoDialTemplate } from './demo.js';

describe("the demo's dial template", () => {
  const real = { ARI_URL: 'http://127.0.0.1:8088/ari' };

  it('sends the made-up demo leads to the test customers on a real Asterisk, never the trunk', () => {
    const config = loadConfig(real);
    expect(config.ariDialTemplate).toBe('PJSIP/{e164}@trunk');
    expect(demoDialTemplate(config, true)).toBe(DEMO_DIAL_TEMPLATE);
    expect(DEMO_DIAL_TEMPLATE).toBe('Local/{digits}@sim-customers');
  });

  it('keeps a template set on purpose, and changes nothing without the demo or on the sim', () => {
    const set = loadConfig({ ...real, ARI_DIAL_TEMPLATE: 'PJSIP/{e164}@carrier' });
    expect(demoDialTemplate(set, true)).toBeNull();
    expect(demoDialTemplate(loadConfig(real), false)).toBeNull();
    expect(demoDialTemplate(loadConfig({}), true)).toBeNull();
  });
});
