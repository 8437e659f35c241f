import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitHttp } from '../common/processes.js';
import type { FloorArgs } from './args.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A process of the floor: a production role or the simulated PBX. */
export interface Proc {
  name: string;
  child: ChildProcess;
  metricsUrl: string | null;
}

function nodeArgs(args: FloorArgs, name: string): string[] {
  // One directory per process: tsx's loader thread writes a profile of its own beside the
  // main thread's (the larger file).
  const prof = args.cpuProf
    ? ['--cpu-prof', `--cpu-prof-dir=${join(args.cpuProf, `${name}.${process.pid}`)}`]
    : [];
  return [...prof, '--import', 'tsx'];
}

/** The simulated PBX (pbx-process.ts) with `options`; resolves with its ARI address. */
export function startPbx(
  args: FloorArgs,
  options: object,
): Promise<{ proc: Proc; ariUrl: string }> {
  const child = spawn(
    process.execPath,
    [...nodeArgs(args, 'sim-pbx'), 'bench/floor/pbx-process.ts'],
    {
      cwd: repoRoot,
      env: { ...process.env, FLOOR_SIM_OPTIONS: JSON.stringify(options) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const proc: Proc = { name: 'sim-pbx', child, metricsUrl: null };
  return new Promise((res, rej) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        const line = JSON.parse(buf.slice(0, nl)) as { ariUrl: string };
        res({ proc, ariUrl: line.ariUrl });
      }
    });
    child.once('exit', (code) => rej(new Error(`simulated PBX exited (${code})`)));
  });
}

/**
 * A production role as deployed (`apps/server/src/main.ts <role>`) with `env` over this
 * process's environment, its metrics served on `metricsPort`; `onStarted` gets the process as
 * soon as it is spawned (so that a failed start still stops it), and the promise resolves once
 * the metrics answer.
 */
export async function startRole(
  args: FloorArgs,
  role: string,
  metricsPort: number,
  env: Record<string, string>,
  onStarted: (proc: Proc) => void,
): Promise<Proc> {
  const child = spawn(
    process.execPath,
    [...nodeArgs(args, role), 'apps/server/src/main.ts', role],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env, METRICS_PORT: String(metricsPort) },
      // The roles' logs (pino, stdout) go to this process's stderr when FLOOR_LOG_LEVEL asks.
      stdio: ['ignore', process.env.FLOOR_LOG_LEVEL ? 'pipe' : 'ignore', 'inherit'],
    },
  );
  child.stdout?.pipe(process.stderr);
  const proc: Proc = { name: role, child, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
  onStarted(proc);
  await waitHttp(proc.metricsUrl as string, child, role);
  return proc;
}

/** The Prometheus text of every process that serves metrics, joined. */
export async function scrape(procs: readonly Proc[]): Promise<string> {
  const texts = await Promise.all(
    procs
      .filter((p) => p.metricsUrl)
      .map((p) =>
        fetch(p.metricsUrl as string)
          .then((r) => r.text())
          .catch(() => ''),
      ),
  );
  return texts.join('\n');
}
