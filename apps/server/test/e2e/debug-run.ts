import { startSystem, customerHangsUp } from './system.js';
import { startBotAgents } from '../../../sim/src/bots/index.js';
const sys = await startSystem({ phoneShim: true });
console.log('api', sys.apiUrl, 'zone', sys.leadZone);
const bots = await startBotAgents({
  baseUrl: sys.front.url,
  campaignId: sys.seed.campaignId,
  count: 1,
  hangup: 'customer',
  wrapMs: 500,
  onLog: (m, f) => console.log(m, JSON.stringify(f)),
});
const a = bots.agents[0]!;
let hung = false;
for (let i = 0; i < 10; i++) {
  await new Promise((r) => setTimeout(r, 1000));
  console.log(
    JSON.stringify({ st: a.panel.agent?.state, call: a.panel.call, due: a.panel.dispositionDue }),
    JSON.stringify(bots.stats()),
  );
  if (!hung && a.panel.agent?.state === 'INCALL' && a.panel.call) {
    hung = true;
    await customerHangsUp(sys.pbx, a.panel.call.callId);
    console.log('HUNG UP');
  }
}
console.log(await (await fetch(`${sys.pbx.url}/_sim/calls`)).text());
await bots.stop();
await sys.stop();
process.exit(0);
