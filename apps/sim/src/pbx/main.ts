/**
 * `npm run sim:pbx`: the simulated PBX on 127.0.0.1:$SIM_PBX_PORT (default 8088).
 * Optional: SIM_PBX_SPEED (time scale), SIM_PBX_SEED, SIM_PBX_APP, ARI_USER / ARI_PASSWORD,
 * SIM_PBX_ENDPOINTS (comma list of registered ulaw endpoints), SIM_PBX_ANY_ENDPOINT=1 (every
 * PJSIP/<name> exists), SIM_PBX_LOAD_MODULES (comma list, e.g. codec_opus),
 * SIM_PBX_RECORDINGS_DIR (stored recordings, kept; default a temporary directory removed on stop).
 */
import { startSimPbx } from './server.js';

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v)) {
    console.error(`sim:pbx: ${name} must be a number`);
    process.exit(2);
  }
  return v;
}

function list(name: string): string[] {
  return (process.env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const port = num('SIM_PBX_PORT', 8088);
const pbx = await startSimPbx({
  port,
  speed: num('SIM_PBX_SPEED', 1),
  seed: num('SIM_PBX_SEED', 1),
  app: process.env.SIM_PBX_APP || 'dialer',
  user: process.env.ARI_USER || 'ringside',
  password: process.env.ARI_PASSWORD || 'ringside',
  endpoints: list('SIM_PBX_ENDPOINTS'),
  anyEndpoint: process.env.SIM_PBX_ANY_ENDPOINT === '1',
  modules: { load: list('SIM_PBX_LOAD_MODULES') },
  recordingsDir: process.env.SIM_PBX_RECORDINGS_DIR || undefined,
}).catch((err: unknown) => {
  if (err instanceof TypeError) {
    // A bad setting (e.g. SIM_PBX_LOAD_MODULES naming a module the sim does not have).
    console.error(`sim:pbx: ${err.message}`);
    process.exit(2);
  }
  console.error(
    `sim:pbx: cannot listen on 127.0.0.1:${port} (${err instanceof Error ? err.message : String(err)})`,
  );
  process.exit(1);
});
console.log(
  `simulated PBX: ARI at ${pbx.ariUrl} (control API at ${pbx.url}/_sim, recordings in ${pbx.recordingsDir})`,
);

const shutdown = () => {
  void pbx.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
