import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** A loaded Lua script: call with its KEYS and ARGV (see the header of its .lua file). */
export type Script = (
  keys: ReadonlyArray<string>,
  argv: ReadonlyArray<string | number>,
) => Promise<unknown>;

const SCRIPTS = {
  publish: 'publish.lua',
  agentTransition: 'agent-transition.lua',
  agentReserve: 'agent-reserve.lua',
  agentReserveNear: 'agent-reserve-near.lua',
  agentHomeSet: 'agent-home-set.lua',
  agentList: 'agent-list.lua',
  agentLegIndexSet: 'agent-leg-index-set.lua',
  agentLegIndexDelete: 'agent-leg-index-delete.lua',
  callWrite: 'call-write.lua',
  hopperAdd: 'hopper-add.lua',
  hopperPop: 'hopper-pop.lua',
  hopperSettle: 'hopper-settle.lua',
  hopperReclaim: 'hopper-reclaim.lua',
  hopperRemoveClosed: 'hopper-remove-closed.lua',
  hopperSize: 'hopper-size.lua',
  dialerLeaseTake: 'dialer-lease-take.lua',
  dialerLeaseRelease: 'dialer-lease-release.lua',
  dialerControlSave: 'dialer-control-save.lua',
  dialerAmdMark: 'dialer-amd-mark.lua',
  dialerKpiApply: 'dialer-kpi-apply.lua',
  dialerKpiTotals: 'dialer-kpi-totals.lua',
  wrapupExtend: 'wrapup-extend.lua',
} as const;

export type ScriptName = keyof typeof SCRIPTS;
export type Scripts = Record<ScriptName, Script>;

const sources = new Map<ScriptName, string>();
function source(name: ScriptName): string {
  let lua = sources.get(name);
  if (lua === undefined) {
    lua = readFileSync(new URL(`./lua/${SCRIPTS[name]}`, import.meta.url), 'utf8');
    sources.set(name, lua);
  }
  return lua;
}

type Command = (...args: Array<string | number>) => Promise<unknown>;

/**
 * Registers every script on the connection with ioredis defineCommand (EVALSHA, falling back to
 * EVAL after a SCRIPT FLUSH or a Redis restart) and returns them as functions. Key counts vary
 * per call, so each command is defined with numberOfKeys unset and called with the count first.
 */
export function loadScripts(redis: Redis): Scripts {
  const out = {} as Scripts;
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    const command = `rs_${name}`;
    redis.defineCommand(command, { lua: source(name) });
    const fn = (redis as unknown as Record<string, Command | undefined>)[command];
    if (!fn) throw new Error(`ioredis did not define ${command}`);
    out[name] = (keys, argv) => fn.call(redis, keys.length, ...keys, ...argv);
  }
  return out;
}
