import type { AgentId, CallId, CampaignId } from '@ringside/protocol';
import type { StreamName } from '../../ports/event-bus.js';

/**
 * Every Redis key Ringside uses is built here (STYLE.md §6). The scheme, under REDIS_PREFIX `p`:
 *
 *   p:{agents}:status:<agentId>     hash   one agent's AgentStatus (state, sinceMs, campaignId, ...)
 *   p:{agents}:all                  set    every agent id that has a status
 *   p:{agents}:ready:<campaignId>   zset   READY agents of a campaign, scored by READY-since (ms)
 *   p:{agents}:events / :seq        stream + counter of the `agents` event stream
 *   p:{agents}:presence:<agentId>   string "1" with a TTL while the agent's socket is alive (api)
 *   p:{agents}:pause-after:<agentId> string pause code the agent asked for after its call (api)
 *   p:{agents}:transfer:<agentId>   string JSON of the agent's warm transfer in progress (api)
 *   p:{agents}:monitor:<agentId>    string JSON of the supervisor monitoring the agent's call (api)
 *   p:{agents}:monitor-leg:<channelId> string agentId whose monitoring that supervisor leg is in
 *   p:{agents}:leg:<channelId>      string JSON {agentId, serverId} whose phone leg that channel is
 *                                          (ari-worker, api; a bare agentId from older writes)
 *   p:{agents}:legs                 set    channel ids of those entries (the resync lists it)
 *   p:{agents}:homes                hash   agentId -> id of the Asterisk server the agent is homed
 *                                          on for its shift (docs/telephony.md, "Asterisk fleet")
 *   p:{calls}:call:<callId>         string one LiveCall as JSON
 *   p:{calls}:all                   set    ids of live calls
 *   p:{calls}:rec:<callId>          string the call's live recording as JSON (ari-worker, api; TTL)
 *   p:{calls}:events / :seq         stream + counter of the `calls` event stream
 *   p:{calls}:ari-lease:<serverId>  string the ari-worker instance following that Asterisk server
 *                                          (PX = lease TTL; in {calls} so call writes check it)
 *   p:{system}:events / :seq        stream + counter of the `system` event stream
 *   p:{hopper:<campaignId>}:q:callback|q:recycle|q:new   lists   lead ids by priority class
 *   p:{hopper:<campaignId>}:entries hash   leadId -> HopperEntry JSON (queued and leased)
 *   p:{hopper:<campaignId>}:closes  zset   leadId -> windowClosesAtMs
 *   p:{hopper:<campaignId>}:leases  zset   leadId -> lease expiresAtMs
 *   p:{hopper:<campaignId>}:owners  hash   leadId -> consumerId holding the lease
 *   p:{hopper:<campaignId>}:dialable string JSON {count, atMs}: due leads outside the hopper (filler)
 *   p:{dialer}:live                 hash   campaignId -> last dialer.status JSON (+ refreshedAtMs)
 *   p:{dialer}:kpi:<campaignId>:<day> hash today's handle/answer sums and the per-stream seq applied
 *   p:{dialer}:lease:<campaignId>   string the dialer instance driving the campaign (PX = lease TTL)
 *   p:{dialer}:pacing:<campaignId>  string JSON PacingControl of the campaign (written with its lease)
 *   p:{dialer}:amd-audit:<campaignId> hash AMD audit marks: person, machine (counts)
 *   p:attempts:<E.164>              zset   callId -> dial instant (ms) of that number, last 24 h
 *                                          (the states' attempt caps; expires 25 h after a dial)
 *   p:{talk}:hands                  hash   agentId -> raisedAtMs of each raised hand (api; talk.ts)
 *   p:{talk}:rate:<key>:<window>    string attempts of one user in one fixed window (expires with it)
 *   p:boot                          string the boot sentinel (absent after Redis lost its data)
 *   p:boot:lock                     string held (with a TTL) by the process rebuilding state
 *   p:{bull}:...                    BullMQ's own keys (scheduler queue)
 *   p:{dncnat:<npa>}:bits           string national DNC registry of one area code: bit n set =
 *                                          number <npa><n as 7 digits> is registered (1.25 MB)
 *   p:{dncnat:<npa>}:tmp            string a full import's scratch, renamed over :bits
 *   p:{dncnat:<npa>}:part           string a partial bitset OR-ed into :tmp during an import
 *   p:dncnat:areas                  hash   npa -> JSON {numbers, importedAtMs} of the last import
 *
 * Redis Cluster: a Lua script may only touch keys of one hash slot, so the keys one script uses
 * together share a hash tag (the part in braces): every agent key and the agents stream share
 * `{agents}` (a status write and its event are one script; reserveLongestReady needs the ready
 * set and the chosen agent's status), every call key and the calls stream share `{calls}`, and
 * each campaign's hopper keys share `{hopper:<campaignId>}`, so hoppers spread over the cluster.
 * Agent and call state stay in one slot each: each stream must be totally ordered anyway, and
 * their write rate (state changes of a few thousand agents) is far below one node's capacity.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** Prefix of agent status keys, for the one script that derives the chosen agent's key. */
  get agentStatusPrefix(): string {
    return `${this.prefix}:{agents}:status:`;
  }
  agentStatus(agentId: AgentId): string {
    return `${this.agentStatusPrefix}${agentId}`;
  }
  get agentIndex(): string {
    return `${this.prefix}:{agents}:all`;
  }
  /** campaignId null: a key that is never written, so scripts can take a fixed key count. */
  agentReady(campaignId: CampaignId | null): string {
    return `${this.prefix}:{agents}:ready:${campaignId ?? ''}`;
  }

  /** The agent's socket is alive somewhere (a key with a TTL, refreshed by the api role). */
  agentPresence(agentId: AgentId): string {
    return `${this.prefix}:{agents}:presence:${agentId}`;
  }
  /** Pause code the agent asked for after its current call. */
  agentPauseAfter(agentId: AgentId): string {
    return `${this.prefix}:{agents}:pause-after:${agentId}`;
  }
  /** The wrap-up extensions of the agent's last call (hash: callId, sinceMs, used, untilMs). */
  agentWrapupExtension(agentId: AgentId): string {
    return `${this.prefix}:{agents}:wrapup-ext:${agentId}`;
  }
  /** The agent's warm transfer in progress (JSON). */
  agentTransfer(agentId: AgentId): string {
    return `${this.prefix}:{agents}:transfer:${agentId}`;
  }

  /** The supervisor monitoring the agent's call (JSON; deleted when it ends). */
  agentMonitor(agentId: AgentId): string {
    return `${this.prefix}:{agents}:monitor:${agentId}`;
  }
  /** The agent a supervisor's monitoring leg belongs to (the ARI worker sees only the channel). */
  agentMonitorLeg(channelId: string): string {
    return `${this.prefix}:{agents}:monitor-leg:${channelId}`;
  }

  /** The agent a phone-leg channel belongs to, so the ARI worker can tell its loss. */
  agentLeg(channelId: string): string {
    return `${this.prefix}:{agents}:leg:${channelId}`;
  }

  /** agentId -> the Asterisk server each agent is homed on (services/telephony/fleet-homing.ts). */
  agentHomes(): string {
    return `${this.prefix}:{agents}:homes`;
  }

  /** Channel ids of the agent-leg entries: what the ARI worker's resync checks against Asterisk. */
  agentLegs(): string {
    return `${this.prefix}:{agents}:legs`;
  }

  call(callId: CallId): string {
    return `${this.prefix}:{calls}:call:${callId}`;
  }
  get callIndex(): string {
    return `${this.prefix}:{calls}:all`;
  }

  /**
   * The ari-worker lease of one Asterisk server (adapters/redis/ari-lease.ts). Same hash tag as the
   * calls, so the call-write script checks it (a fence) in the same slot.
   */
  ariLease(serverId: string): string {
    return `${this.prefix}:{calls}:ari-lease:${serverId}`;
  }

  /** The call's live recording (adapters/redis/live-recordings.ts; docs/recording.md). */
  liveRecording(callId: CallId): string {
    return `${this.prefix}:{calls}:rec:${callId}`;
  }

  stream(name: StreamName): string {
    return `${this.prefix}:{${name}}:events`;
  }
  streamSeq(name: StreamName): string {
    return `${this.prefix}:{${name}}:seq`;
  }

  hopper(campaignId: CampaignId): HopperKeys {
    const base = `${this.prefix}:{hopper:${campaignId}}`;
    return {
      callback: `${base}:q:callback`,
      recycle: `${base}:q:recycle`,
      new: `${base}:q:new`,
      entries: `${base}:entries`,
      closes: `${base}:closes`,
      leases: `${base}:leases`,
      owners: `${base}:owners`,
    };
  }

  /**
   * Due leads of the campaign outside its hopper, as last counted by the filler (JSON
   * `{count, atMs}`). Not one of HopperKeys: clearing a hopper keeps the last count.
   */
  hopperDialable(campaignId: CampaignId): string {
    return `${this.prefix}:{hopper:${campaignId}}:dialable`;
  }

  /** Last published dialer.status per campaign (hash field = campaignId), for snapshots. */
  get dialerLive(): string {
    return `${this.prefix}:{dialer}:live`;
  }

  /** A campaign's KPI sums of one UTC day (`day` = days since the epoch). */
  campaignKpi(campaignId: CampaignId, day: number): string {
    return `${this.prefix}:{dialer}:kpi:${campaignId}:${day}`;
  }

  /** Dial instants of one number in the last 24 h (zset callId -> ms; adapters/redis/dial-attempts.ts). */
  dialAttempts(phone: string): string {
    return `${this.prefix}:attempts:${phone}`;
  }

  /** The dialer lease of a campaign (adapters/redis/dialer-state.ts CampaignLeases). */
  dialerLease(campaignId: CampaignId): string {
    return `${this.prefix}:{dialer}:lease:${campaignId}`;
  }

  /**
   * The predictive controller's state of a campaign (JSON PacingControl), written only by the
   * lease holder; same hash tag as the lease so one script checks the lease and writes it.
   */
  pacingControl(campaignId: CampaignId): string {
    return `${this.prefix}:{dialer}:pacing:${campaignId}`;
  }

  /** AMD audit marks of a campaign: hash person / machine -> count (docs/pacing.md). */
  amdAudit(campaignId: CampaignId): string {
    return `${this.prefix}:{dialer}:amd-audit:${campaignId}`;
  }

  /** One MACHINE verdict sent to an agent: `pending:<campaignId>`, then the agent's mark. */
  amdMark(callId: string): string {
    return `${this.prefix}:{dialer}:amd-mark:${callId}`;
  }

  /**
   * The drop-rate ledger of a campaign: hash <utcDay>:d drops, <utcDay>:h human answers,
   * <utcDay>:e estimated AMD drops, <utcDay>:a estimated people among MACHINE verdicts agents got.
   */
  dialerLedger(campaignId: CampaignId): string {
    return `${this.prefix}:{dialer}:ledger:${campaignId}`;
  }

  /**
   * Do-not-call sets mirrored from PostgreSQL (adapters/redis/dialer-dnc.ts): the system-wide
   * numbers, a campaign's, and a rebuild's scratch set renamed over the live one. Every one shares
   * `{dnc}`, so the RENAME of a rebuild stays in one slot on Redis Cluster.
   */
  dncAll(): string {
    return `${this.prefix}:{dnc}:all`;
  }
  dncCampaign(campaignId: string): string {
    return `${this.prefix}:{dnc}:c:${campaignId}`;
  }
  dncTmp(name: string): string {
    return `${this.prefix}:{dnc}:tmp:${name}`;
  }

  /** Raised hands of agents (hash agentId -> raisedAtMs; adapters/redis/talk.ts). */
  get talkHands(): string {
    return `${this.prefix}:{talk}:hands`;
  }
  /** A talk send limit's counter: `key` (user and kind) in fixed window number `window`. */
  talkRate(key: string, window: number): string {
    return `${this.prefix}:{talk}:rate:${key}:${window}`;
  }

  get bootSentinel(): string {
    return `${this.prefix}:boot`;
  }
  get bootLock(): string {
    return `${this.prefix}:boot:lock`;
  }

  /**
   * The national DNC registry of one area code (`npa`, 3 digits) as a bitset of 10^7 bits, one per
   * 7-digit subscriber number. Each area code is its own hash slot, so the registry spreads over
   * a cluster and a full import's RENAME (tmp -> bits) stays in one slot.
   */
  dncNational(npa: string): { bits: string; tmp: string; part: string } {
    const base = `${this.prefix}:{dncnat:${npa}}`;
    return { bits: `${base}:bits`, tmp: `${base}:tmp`, part: `${base}:part` };
  }
  /** npa -> JSON {numbers, importedAtMs}: which area codes the registry holds (status, bench). */
  get dncNationalAreas(): string {
    return `${this.prefix}:dncnat:areas`;
  }

  /** BullMQ `prefix` option: its keys then live under p:{bull}:<queue>:..., one slot. */
  get bullPrefix(): string {
    return `${this.prefix}:{bull}`;
  }
}

export interface HopperKeys {
  callback: string;
  recycle: string;
  new: string;
  entries: string;
  closes: string;
  leases: string;
  owners: string;
}
