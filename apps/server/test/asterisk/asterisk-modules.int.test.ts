import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startSimPbx } from '@ringside/sim';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { AsteriskModules } from '../../src/adapters/asterisk/asterisk-modules.js';

/**
 * The start-up module check over the simulated PBX's GET /ari/asterisk/modules (the build of
 * issue 11: everything Ringside needs, codec_opus not loaded unless asked).
 */
describe('module check against the simulated PBX', () => {
  it('finds every needed module and offers G.711 only; Opus once codec_opus is loaded; names a module left out', async () => {
    const cases = [
      { opts: {}, missing: [], opus: false },
      { opts: { modules: { load: ['codec_opus'] } }, missing: [], opus: true },
      { opts: { modules: { noload: ['app_amd'] } }, missing: ['app_amd'], opus: false },
    ];
    for (const c of cases) {
      const pbx = await startSimPbx({ port: 0, ...c.opts });
      const ari = new AriRestClient({
        baseUrl: pbx.ariUrl,
        user: 'ringside',
        password: 'ringside',
      });
      try {
        const r = await new AsteriskModules().check(
          { id: 'sim', baseUrl: pbx.ariUrl },
          ari,
          pino({ level: 'silent' }),
        );
        expect(r).toMatchObject({ checked: true, missing: c.missing, opus: c.opus, fault: null });
        expect(r.codecs).toEqual(c.opus ? ['ulaw', 'alaw', 'opus'] : ['ulaw', 'alaw']);
      } finally {
        ari.close();
        await pbx.stop();
      }
    }
  });
});
