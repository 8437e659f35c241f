import { startSystem } from './system.js';
import { startBotAgents } from '../../../sim/src/bots/index.js';
const sys = await startSystem({ phoneShim: true });
console.log('api', sys.apiUrl, 'zone', sys.leadZone);
const bots = await startBotAgents({ baseUrl: sys.front.url, campaignId: sys.seed.campaignId, count: 1, talkMs: 1000, wrapMs: 500, onLog: (m, f) => console.log(m, JSON.stringify(f)) });
for (let i = 0; i < 8; i++) {
  await new Promise((r) => setTimeout(r, 1000));
  const a = bots.agents[0];
  console.log(JSON.stringify({ st: a?.panel.agent?.state, call: a?.panel.call?.callId, due: a?.panel.dispositionDue }), JSON.stringify(bots.stats()));
  console.log(await (await fetch(`${sys.pbx.url}/_sim/calls`)).text());
}
await bots.stop();
await sys.stop();
process.exit(0);
