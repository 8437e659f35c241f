import type { AgentId, AgentMonitorStarted, WallThresholds } from '@ringside/protocol';

/**
 * Ports of the supervisor capability (services/supervisor): the ARI calls monitoring makes and
 * where monitorings in progress are kept (adapters/redis/supervisor-monitors.ts).
 */

/** A snoop of a channel into the app: spy (listen) and/or whisper, with our snoop channel id. */
export interface SnoopRequest {
  channelId: string;
  snoopId: string;
  app: string;
  appArgs?: string;
  spy?: 'none' | 'both' | 'out' | 'in';
  whisper?: 'none' | 'both' | 'out' | 'in';
}

/** The part of the ARI client monitoring needs (adapters/asterisk/ari-client.ts has all of it). */
export interface MonitorAri {
  snoop(p: SnoopRequest): Promise<unknown>;
  createBridge(bridgeId: string, type?: 'mixing' | 'holding', name?: string): Promise<unknown>;
  addChannel(bridgeId: string, channel: string | string[]): Promise<void>;
  /** Ends the supervisor's leg when monitoring stops (optional: the leg is then left up). */
  hangup?(channelId: string): Promise<unknown>;
  destroyBridge?(bridgeId: string): Promise<unknown>;
  originate(p: {
    endpoint: string;
    channelId: string;
    app?: string;
    appArgs?: string;
    /** Seconds the supervisor's phone may ring. */
    timeoutS?: number;
  }): Promise<unknown>;
}

/** A monitoring in progress: its event and the channels to clean up when it ends. */
export interface ActiveMonitor {
  event: AgentMonitorStarted;
  /** The supervisor's phone channel, the snoop channel and the snoop bridge (listen/whisper). */
  supLeg: string;
  snoopId: string | null;
  bridgeId: string | null;
}

/**
 * Who is monitoring each agent's call, so the agent's snapshot shows it and its end is published
 * exactly once (take() hands the entry to one caller only). One monitoring per agent.
 */
export interface MonitorRegistry {
  put(m: ActiveMonitor): Promise<void>;
  get(agentId: AgentId): Promise<ActiveMonitor | null>;
  /** Removes and returns the agent's monitoring; null when there is none (or another took it). */
  take(agentId: AgentId): Promise<ActiveMonitor | null>;
  /** The monitoring whose supervisor leg is this channel; null when none. */
  byLeg(channelId: string): Promise<ActiveMonitor | null>;
}

/**
 * The supervisor wall's thresholds per campaign (adapters/postgres/wall-thresholds.ts, table
 * campaign_wall_thresholds). Values are checked by the protocol's WallThresholds schema before
 * they get here; a campaign never set has none (the caller applies DEFAULT_WALL_THRESHOLDS).
 */
export interface WallThresholdsRepo {
  /** The thresholds set for each of `campaignIds` that has any. */
  forCampaigns(campaignIds: readonly string[]): Promise<Map<string, WallThresholds>>;
  /** Replaces a campaign's thresholds. */
  put(campaignId: string, thresholds: WallThresholds): Promise<void>;
}
