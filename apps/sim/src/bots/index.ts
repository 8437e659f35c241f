import { BotAgent, type BotAgentOptions, type BotStats } from './bot-agent.js';

export { BotAgent, nodeSocket, type BotAgentOptions, type BotStats } from './bot-agent.js';

export interface StartBotAgentsOptions extends Omit<BotAgentOptions, 'username' | 'password'> {
  /** How many bots. */
  count: number;
  /** Usernames are `${usernamePrefix}${first + i}`. Default 'agent'. */
  usernamePrefix?: string;
  /** Number of the first bot's user. Default 1. */
  first?: number;
  /** The password of every bot user (the demo seed's by default: 'ringside-demo'). */
  password?: string;
  /** Delay between two bots' logins (ms), so they do not all start at once. Default 50. */
  staggerMs?: number;
}

export interface RunningBots {
  agents: BotAgent[];
  /** Totals over every bot. */
  stats(): BotStats;
  stop(): Promise<void>;
}

/**
 * Starts `count` bot agents on a campaign through the HTTP API and the WebSocket gateway
 * (`npm run sim:agents`, and the demo of `npm start`). Resolves once every bot is logged in and
 * subscribed; a bot that cannot log in rejects the whole start after the others are stopped. A
 * bot whose phone cannot be reached (no such endpoint, no answer) does not: it starts, stays
 * paused, says why through onLog ('phone not connected') and calls again with backoff.
 */
export async function startBotAgents(opts: StartBotAgentsOptions): Promise<RunningBots> {
  const prefix = opts.usernamePrefix ?? 'agent';
  const first = opts.first ?? 1;
  const agents: BotAgent[] = [];
  try {
    for (let i = 0; i < opts.count; i++) {
      const bot = new BotAgent({
        ...opts,
        username: `${prefix}${first + i}`,
        password: opts.password ?? 'ringside-demo',
      });
      agents.push(bot);
      await bot.start();
      if (opts.staggerMs !== 0) await new Promise((r) => setTimeout(r, opts.staggerMs ?? 50));
    }
  } catch (err) {
    await Promise.all(agents.map((a) => a.stop().catch(() => undefined)));
    throw err;
  }
  return {
    agents,
    stats() {
      const total: BotStats = {
        calls: 0,
        hangups: 0,
        customerHangups: 0,
        dispositions: 0,
        errors: 0,
      };
      for (const a of agents) {
        for (const k of Object.keys(total) as Array<keyof BotStats>) total[k] += a.stats[k];
      }
      return total;
    },
    async stop() {
      await Promise.all(agents.map((a) => a.stop()));
    },
  };
}
