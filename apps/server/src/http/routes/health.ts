import type { FastifyInstance } from 'fastify';
import { HealthResponse, TelephonyStatusResponse } from '@ringside/protocol';
import { UnavailableError } from '../../errors.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { SUPERVISOR } from './common.js';

/** A check that throws or hangs counts as down; health must answer quickly in any case. */
const CHECK_TIMEOUT_MS = 2000;

async function probe<T>(fn: () => Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<T>((resolve) => {
        timer = setTimeout(() => resolve(fallback), CHECK_TIMEOUT_MS);
      }),
    ]);
  } catch {
    return fallback;
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoutes(app: FastifyInstance, deps: AppDeps): void {
  defineRoute(app, {
    method: 'GET',
    url: '/health',
    auth: 'public',
    summary:
      'PostgreSQL, Redis and each Asterisk server: up or down. 200 when all are up, else 503.',
    tags: ['health'],
    response: HealthResponse,
    handler: async ({ reply }) => {
      const { health } = deps;
      const [pg, redis, tel] = await Promise.all([
        probe(health.postgres, false),
        probe(health.redis, false),
        probe(health.telephonyStatus, {} as Record<string, boolean>),
      ]);
      const telephony: Record<string, 'up' | 'down'> = {};
      // A configured server the telephony layer says nothing about is unknown, hence down.
      for (const id of health.telephonyServers) telephony[id] = tel[id] === true ? 'up' : 'down';
      for (const [id, up] of Object.entries(tel)) telephony[id] = up ? 'up' : 'down';
      const allUp = pg && redis && Object.values(telephony).every((s) => s === 'up');
      const body: HealthResponse = {
        status: allUp ? 'up' : 'down',
        postgres: pg ? 'up' : 'down',
        redis: redis ? 'up' : 'down',
        telephony,
      };
      // Which codecs the phones are offered, and what the module check found missing (a missing
      // module does not make the answer 503: Asterisk is up, some features will fail).
      const details = health.telephonyDetails?.();
      if (details && details.servers.length > 0) {
        body.codecs = details.codecs;
        body.opusOffered = details.opusOffered;
        body.missingModules = Object.fromEntries(
          details.servers.map((s) => [s.serverId, s.missingModules]),
        );
      }
      void reply.code(allUp ? 200 : 503);
      return body;
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/supervisor/telephony',
    auth: SUPERVISOR,
    summary:
      'Each Asterisk server: up or down and why, modules Ringside needs that are missing, and the ' +
      "codecs agents' browser phones are offered (G.711 first; Opus only where codec_opus runs).",
    tags: ['supervisor'],
    response: TelephonyStatusResponse,
    handler: () => {
      const details = deps.health.telephonyDetails;
      if (!details) throw new UnavailableError('telephony status is not available');
      return Promise.resolve(details());
    },
  });
}
