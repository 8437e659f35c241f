import type { TelephonyStatusResponse } from '@ringside/protocol';

/** One phone server as the dashboard header shows it. */
export interface TelephonyLine {
  serverId: string;
  ok: boolean;
  text: string;
}

/**
 * The dashboard's words for each phone server: up or down (and why), the codecs the agents'
 * phones are offered, and any module Ringside needs that the server lacks.
 */
export function describeTelephony(t: TelephonyStatusResponse): TelephonyLine[] {
  return t.servers.map((s) => {
    const parts = [s.up ? 'up' : `down (${s.reason})`];
    if (s.codecs.length > 0) parts.push(`phones use ${s.codecs.join(', ')}`);
    if (s.missingModules.length > 0) parts.push(`missing ${s.missingModules.join(', ')}`);
    if (s.checkFault) parts.push(`module check failed: ${s.checkFault}`);
    return {
      serverId: s.serverId,
      ok: s.up && s.missingModules.length === 0 && !s.checkFault,
      text: `Phone server ${s.serverId}: ${parts.join('; ')}`,
    };
  });
}
