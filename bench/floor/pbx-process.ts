/**
 * bench:floor's simulated PBX in a process of its own (so its CPU is measured apart from the
 * roles'): `node --import tsx bench/floor/pbx-process.ts` with the startSimPbx options as JSON in
 * FLOOR_SIM_OPTIONS. Listens on a free loopback port and prints one line `{"ariUrl": ...}`;
 * stops on SIGTERM/SIGINT.
 */
import { startSimPbx, type SimPbxOptions } from '@ringside/sim';

const opts = JSON.parse(process.env.FLOOR_SIM_OPTIONS ?? '{}') as SimPbxOptions;
const pbx = await startSimPbx({ ...opts, port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ ariUrl: pbx.ariUrl, port: pbx.port })}\n`);
const stop = () => void pbx.stop().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
