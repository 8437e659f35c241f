import type { AgentId, AgentState, AgentStateChanged, CampaignId } from '@ringside/protocol';
import type { StateStore } from '../../ports/state-store.js';

/** What a pacing decision reads of an agent. */
export interface BoardAgent {
  state: AgentState;
  sinceMs: number;
  campaignId: CampaignId | null;
}

/** Most wall-clock ms between two full reads of the floor from the state store. */
export const BOARD_REFRESH_MS = 1_000;

/**
 * The dialer's copy of every agent's state, kept from the `agent.state_changed` events it already
 * receives, so that a pacing decision does not read the whole floor from Redis. At 1,000 agents
 * that read cost the dialer about 10 ms of CPU per decision, and a decision runs on every READY
 * event and every call end (docs/pacing.md, "Headline").
 *
 * Redis stays the source of truth: the board is read in full at the first decision, again at
 * least every BOARD_REFRESH_MS, and at once after the bus reports missed events (`invalidate`).
 * Events that arrive while a full read is in flight are applied again on top of it, in order, so
 * the read cannot roll an agent back. Each status write and its event are one script in Redis, and
 * the bus delivers each stream in order, so between reads the board is the store as of the last
 * event delivered: what the previous Redis read gave, without its cost.
 */
export class AgentBoard {
  private readonly agents = new Map<AgentId, BoardAgent>();
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | null = null;
  /** Events seen while a full read is in flight, applied again on top of it. */
  private replay: AgentStateChanged[] | null = null;
  /** Full reads done (tests, diagnostics). */
  reads = 0;

  constructor(
    private readonly store: Pick<StateStore, 'listAgents'>,
    private readonly perfNow: () => number,
    private readonly refreshMs = BOARD_REFRESH_MS,
  ) {}

  /** One agent event from the bus (every campaign's: an agent may move between campaigns). */
  apply(e: AgentStateChanged): void {
    this.replay?.push(e);
    this.applyOne(e);
  }

  /** The bus missed events: the next read goes to the store. */
  invalidate(): void {
    this.readAt = Number.NEGATIVE_INFINITY;
  }

  /** The campaign's agents, in agent id order (as the store lists them). */
  async list(campaignId: CampaignId): Promise<BoardAgent[]> {
    if (this.perfNow() - this.readAt >= this.refreshMs) await this.read();
    const out: { id: AgentId; a: BoardAgent }[] = [];
    for (const [id, a] of this.agents) if (a.campaignId === campaignId) out.push({ id, a });
    out.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    return out.map((x) => x.a);
  }

  private read(): Promise<void> {
    this.reading ??= this.readNow().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async readNow(): Promise<void> {
    const started = this.perfNow();
    this.replay = [];
    try {
      const all = await this.store.listAgents();
      this.agents.clear();
      for (const a of all) {
        this.agents.set(a.agentId, {
          state: a.state,
          sinceMs: a.sinceMs,
          campaignId: a.campaignId,
        });
      }
      for (const e of this.replay) this.applyOne(e);
      this.readAt = started;
      this.reads++;
    } finally {
      this.replay = null;
    }
  }

  private applyOne(e: AgentStateChanged): void {
    const prev = this.agents.get(e.agentId);
    // A phone-leg change (from === to) keeps the state's clock.
    const sinceMs = e.from === e.to && prev ? prev.sinceMs : e.atMs;
    this.agents.set(e.agentId, { state: e.to, sinceMs, campaignId: e.campaignId });
  }
}
