/**
 * `npm run sim:agents -- --count N --campaign ID [--talk-ms 8000] [--wrap-ms 2000]
 *  [--hangup agent|customer] [--url http://127.0.0.1:8080] [--prefix agent] [--first 1]
 *  [--password ringside-demo] [--dispositions SALE,NI]`
 * Logs N bot agents in and handles calls until Ctrl-C; prints totals every 10 s.
 */
import { parseArgs } from 'node:util';
import { startBotAgents } from './index.js';

function fail(msg: string): never {
  console.error(`sim:agents: ${msg}`);
  process.exit(2);
}

function int(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) fail(`--${name} must be an integer >= ${min}`);
  return v;
}

const { values } = parseArgs({
  options: {
    count: { type: 'string' },
    campaign: { type: 'string' },
    'talk-ms': { type: 'string' },
    'wrap-ms': { type: 'string' },
    hangup: { type: 'string' },
    url: { type: 'string' },
    prefix: { type: 'string' },
    first: { type: 'string' },
    password: { type: 'string' },
    dispositions: { type: 'string' },
  },
});

if (!values.campaign || !/^[1-9][0-9]*$/.test(values.campaign)) {
  fail('--campaign ID is required (a campaign id such as 1)');
}
const hangup = values.hangup ?? 'agent';
if (hangup !== 'agent' && hangup !== 'customer') fail('--hangup must be agent or customer');

const bots = await startBotAgents({
  baseUrl: values.url ?? process.env.RINGSIDE_URL ?? 'http://127.0.0.1:8080',
  campaignId: values.campaign,
  count: int('count', values.count, 1, 1),
  talkMs: int('talk-ms', values['talk-ms'], 8000),
  wrapMs: int('wrap-ms', values['wrap-ms'], 2000),
  hangup,
  usernamePrefix: values.prefix,
  first: int('first', values.first, 1, 1),
  password: values.password,
  dispositions: values.dispositions?.split(',').filter(Boolean),
  onLog: (msg, fields) => {
    if (msg !== 'disposed' && msg !== 'call connected') console.log(msg, JSON.stringify(fields));
  },
}).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));

console.log(`${bots.agents.length} bot agents logged in to campaign ${values.campaign}`);
const timer = setInterval(() => console.log('totals', JSON.stringify(bots.stats())), 10_000);
const shutdown = () => {
  clearInterval(timer);
  void bots.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
