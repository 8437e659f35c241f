import {
  DEFAULT_STATE_RULES,
  ruleSet,
  type StateRule,
  type StateRuleSet,
} from '../../domain/state-rules.js';
import type { Logger } from '../../logger.js';
import type { EventBus, Subscription } from '../../ports/event-bus.js';

/** Default time between two reads of the rules, ms. */
export const STATE_RULES_REFRESH_MS = 30_000;

/**
 * The state calling rules in memory, for the dial-time checks (nothing on the real-time path
 * reads PostgreSQL): current() is synchronous. Re-read every `refreshMs` and at once when
 * compliance.state_rules_changed arrives on the bus. Until the first read succeeds it holds the
 * seeded defaults (never "no rules"); a failed read keeps the last rules.
 */
export class StateRulesCache {
  private rules: StateRuleSet = ruleSet(DEFAULT_STATE_RULES);
  private loadedAtMs: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sub: Subscription | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly source: { list(): Promise<StateRule[]> },
    private readonly logger?: Logger,
    private readonly refreshMs = STATE_RULES_REFRESH_MS,
  ) {}

  current(): StateRuleSet {
    return this.rules;
  }

  /** When the rules were last read from PostgreSQL (epoch ms); null: still the seed. */
  loadedAt(): number | null {
    return this.loadedAtMs;
  }

  /** Reads the rules now (concurrent calls share one read). */
  refresh(): Promise<void> {
    this.inFlight ??= this.source
      .list()
      .then((list) => {
        this.rules = ruleSet(list);
        this.loadedAtMs = Date.now();
      })
      .catch((err: unknown) => {
        this.logger?.warn({ err }, 'state calling rules not refreshed; keeping the last ones');
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** First read, the periodic refresh, and the bus subscription (when given). */
  async start(bus?: EventBus): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
    if (bus) {
      this.sub = await bus.subscribe({
        from: 'latest',
        onEvent: async (env) => {
          if (env.event.type === 'compliance.state_rules_changed') await this.refresh();
        },
      });
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sub?.close();
    this.sub = null;
  }
}
