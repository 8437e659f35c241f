/**
 * bench:chaos's Asterisk fleet: two simulated PBXes in one process (the simulated trunk links two
 * PBXes of one process, apps/sim/src/pbx/trunks.ts), `fleet-2` on A reaching B and `fleet-1` on B
 * reaching A (FLEET_TRUNK_DIAL's default), as deploy/asterisk/pjsip-fleet.conf links two servers.
 * `node --import tsx bench/chaos/pbx-fleet-process.ts` with the startSimPbx options as JSON in
 * CHAOS_SIM_OPTIONS. Prints one line `{"ariUrls": [a, b]}`, then reads commands on stdin, one a
 * line, and answers each with one JSON line:
 *
 * - `away <0|1>`: that PBX goes away as a crashed Asterisk does: the trunk is cut, its listener and
 *   sockets close, every channel on it is gone (nothing is sent to anyone).
 * - `back <0|1>`: a fresh PBX on the same port (a restarted Asterisk: no channels), linked again.
 * - `originates`: the ground truth of dialing: every customer originate either PBX accepted
 *   (`Local/<digits>@sim-customers`, status 200), as `{digits: count}` per PBX, kept across a
 *   PBX's restart.
 *
 * Stops on SIGTERM/SIGINT or when stdin closes (the bench died).
 */
import { createInterface } from 'node:readline';
import { linkSimPbxes, startSimPbx, type SimPbx, type SimPbxOptions } from '@ringside/sim';

const opts = JSON.parse(process.env.CHAOS_SIM_OPTIONS ?? '{}') as SimPbxOptions;
const CUSTOMER = /^Local\/(.+)@sim-customers$/;

type Originate = (p: Record<string, unknown>, v: unknown) => { status: number };
const originates: Array<Map<string, number>> = [new Map(), new Map()];
const pbxes: Array<SimPbx | null> = [null, null];
const ports: number[] = [0, 0];
let restarts = 0;
let cut: (() => void) | null = null;

async function start(i: number): Promise<SimPbx> {
  const pbx = await startSimPbx({
    ...opts,
    seed: (opts.seed ?? 1) * 10 + i + 100 * restarts++,
    port: ports[i] ?? 0,
    host: '127.0.0.1',
  });
  ports[i] = pbx.port;
  // Records every customer originate the PBX accepted (the engine's own ARI entry point).
  const engine = pbx.engine as unknown as { ariOriginate: Originate };
  const original = engine.ariOriginate;
  const seen = originates[i] as Map<string, number>;
  Object.defineProperty(engine, 'ariOriginate', {
    value: ((p, v) => {
      const reply = original(p, v);
      const m = CUSTOMER.exec(typeof p.endpoint === 'string' ? p.endpoint : '');
      if (m && reply.status === 200) seen.set(m[1] as string, (seen.get(m[1] as string) ?? 0) + 1);
      return reply;
    }) satisfies Originate,
  });
  pbxes[i] = pbx;
  return pbx;
}

function link(): void {
  const [a, b] = pbxes;
  if (a && b) cut = linkSimPbxes(a, b, { aEndpoint: 'fleet-2', bEndpoint: 'fleet-1' });
}

const a = await start(0);
const b = await start(1);
link();
process.stdout.write(`${JSON.stringify({ ariUrls: [a.ariUrl, b.ariUrl] })}\n`);

const reply = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
let queue = Promise.resolve();
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  queue = queue.then(async () => {
    const [cmd, arg] = line.trim().split(/\s+/);
    const i = Number(arg);
    try {
      if (cmd === 'away' && (i === 0 || i === 1)) {
        cut?.();
        cut = null;
        await pbxes[i]?.stop();
        pbxes[i] = null;
        reply({ re: 'away', i });
      } else if (cmd === 'back' && (i === 0 || i === 1)) {
        if (!pbxes[i]) await start(i);
        link();
        reply({ re: 'back', i });
      } else if (cmd === 'originates') {
        reply({ re: 'originates', originates: originates.map((m) => Object.fromEntries(m)) });
      } else reply({ re: cmd, error: `unknown command ${line}` });
    } catch (err) {
      reply({ re: cmd, error: (err as Error).message });
    }
  });
});
const stop = () =>
  void Promise.all(pbxes.map((p) => p?.stop().catch(() => undefined))).finally(() =>
    process.exit(0),
  );
rl.on('close', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
