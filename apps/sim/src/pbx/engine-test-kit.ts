/**
 * What the engine's unit tests share: an engine on a manual clock with one ulaw agent phone, an
 * outbound customer originate, and the check that every emitted event matches ARI's description.
 */
import { expect } from 'vitest';
import { checkEvent, formatIssues } from '@ringside/ari';
import type { CustomerScenario } from './customers.js';
import { SimEngine, type AriEventOut, type EngineOptions } from './engine.js';
import { MODULE_CATALOGUE } from './codecs.js';
import { ManualScheduler } from './scheduler.js';

export const DEFAULT_MODULES: ReadonlySet<string> = new Set(
  MODULE_CATALOGUE.map((m) => m.name).filter((m) => m !== 'codec_opus.so'),
);

export function makeEngine(
  scenario: CustomerScenario = { seed: 1 },
  more: Partial<EngineOptions> = {},
) {
  const scheduler = new ManualScheduler();
  const engine = new SimEngine({
    scheduler,
    scenario,
    dialplanApp: 'dialer',
    asteriskId: '02:fc:00:00:00:01',
    endpoints: [{ id: 'agent1' }],
    phoneAnswerMs: 100,
    anyEndpoint: false,
    modules: DEFAULT_MODULES,
    installedModules: DEFAULT_MODULES,
    omitEvents: new Set(['DeviceStateChanged']),
    soundDurationsMs: { 'vm-goodbye': 864 },
    defaultSoundMs: 1000,
    isAppRegistered: (app) => app === 'dialer',
    ...more,
  });
  const events: AriEventOut[] = [];
  engine.onEvent((e) => events.push(e));
  return { engine, scheduler, events };
}

/** An originate to a sim-customers number through dialer-outbound (AMD), as the dialer sends it. */
export const outbound = (number: string, id: string) => ({
  endpoint: `Local/${number}@sim-customers`,
  context: 'dialer-outbound',
  extension: 's',
  priority: '1',
  channelId: id,
  otherChannelId: `${id}-2`,
  timeout: '30',
});

/** An originate of a Local pair `<id>`, `<id>-2` straight into the app `dialer`. */
export const intoApp = (endpoint: string, id: string, appArgs?: string) => ({
  endpoint,
  app: 'dialer',
  appArgs,
  channelId: id,
  otherChannelId: `${id}-2`,
});

/** Each event as `<type>:<channel id>`. */
export const brief = (events: AriEventOut[]) =>
  events.map((e) => {
    const ch = e.channel as { id: string } | undefined;
    return `${e.type}:${ch?.id ?? ''}`;
  });

/** Every event, as delivered to the app `dialer`, matches ARI's description. */
export function expectValidEvents(events: AriEventOut[]): void {
  const bad = events.map((e) => checkEvent({ ...e, application: 'dialer' })).filter((c) => !c.ok);
  expect(bad.map(formatIssues)).toEqual([]);
}
