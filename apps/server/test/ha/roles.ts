import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Production roles as separate processes for the "every role twice" tests (docs/scaling.md):
 * `apps/server/src/main.ts <role>` under tsx, with the test's database schema, Redis prefix and
 * ARI server, its pino log lines (JSON on stdout) kept for the test to read.
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface RoleProcess {
  role: string;
  child: ChildProcess;
  pid: number;
  /** Every log line the process wrote, parsed (pino JSON); lines that are not JSON are skipped. */
  lines: Array<Record<string, unknown> & { msg?: string }>;
  /** How many log lines carry this message. */
  count(msg: string): number;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/**
 * DATABASE_URL that puts every connection of the process in `schema` (the test's fresh schema),
 * through libpq's `options` parameter, which node-postgres reads from the URL.
 */
export function schemaUrl(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** Starts `main.ts <role>` with `env` over this process's environment (metrics listener off). */
export function startRoleProcess(role: string, env: Record<string, string>): RoleProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts', role], {
    cwd: repoRoot,
    env: { ...process.env, METRICS_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: RoleProcess['lines'] = [];
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        lines.push(JSON.parse(line) as RoleProcess['lines'][number]);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr?.on('data', (d: Buffer) => {
    if (process.env.HA_TEST_STDERR) process.stderr.write(d);
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return {
    role,
    child,
    pid: child.pid ?? -1,
    lines,
    count: (msg) => lines.filter((l) => l.msg === msg).length,
    exited,
  };
}

/** Kills every process still running (SIGKILL) and waits for them. */
export async function killAll(procs: readonly RoleProcess[]): Promise<void> {
  for (const p of procs)
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
}
