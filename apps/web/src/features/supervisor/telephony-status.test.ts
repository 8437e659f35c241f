import { describe, expect, it } from 'vitest';
import { describeTelephony } from './telephony-status.js';

const server = {
  serverId: 'pbx-1',
  up: true,
  reason: 'connected',
  sinceMs: 1,
  missingModules: [],
  checkFault: null,
  codecs: ['ulaw', 'alaw'],
  opusOffered: false,
};

describe("the supervisor's telephony status", () => {
  it('says each server is up and which codecs the phones use', () => {
    expect(
      describeTelephony({ servers: [server], codecs: ['ulaw', 'alaw'], opusOffered: false }),
    ).toEqual([
      { serverId: 'pbx-1', ok: true, text: 'Phone server pbx-1: up; phones use ulaw, alaw' },
    ]);
  });

  it('names a server that is down, and modules it lacks', () => {
    const [line] = describeTelephony({
      servers: [
        { ...server, up: false, reason: 'ARI unreachable', missingModules: ['app_amd.so'] },
      ],
      codecs: [],
      opusOffered: false,
    });
    expect(line?.ok).toBe(false);
    expect(line?.text).toBe(
      'Phone server pbx-1: down (ARI unreachable); phones use ulaw, alaw; missing app_amd.so',
    );
  });
});
