import { describe, expect, it } from 'vitest';
import { pjsipEndpointOf } from './supervisor-actions.js';

/** Where Asterisk rings a supervisor for listen, whisper and barge. */
describe("the supervisor's monitoring phone", () => {
  const users = new Map([
    ['1', { username: 'supervisor', sipEndpoint: null }],
    ['2', { username: 'floorlead', sipEndpoint: 'PJSIP/desk-104' }],
    ['3', { username: 'nightlead', sipEndpoint: 'desk-7' }],
  ]);
  const endpointOf = pjsipEndpointOf({ findById: async (id) => users.get(id) ?? null });

  it('is the browser phone, PJSIP/<username>, without a desk phone', async () => {
    expect(await endpointOf('1')).toBe('PJSIP/supervisor');
  });

  it("is the desk phone of users.sip_endpoint when there is one, like an agent's", async () => {
    expect(await endpointOf('2')).toBe('PJSIP/desk-104');
    expect(await endpointOf('3')).toBe('PJSIP/desk-7');
  });

  it('refuses an unknown supervisor', async () => {
    await expect(endpointOf('9')).rejects.toThrow(/not found/);
  });
});
