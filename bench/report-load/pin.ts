/**
 * CPU pinning for bench:report-load's `--pin` (Linux, `taskset` from util-linux; run as root or
 * as the owner of every process pinned): emulates a reports replica on its own machine on a
 * machine with few cores. The real-time side (the bench:handoff child and everything it starts,
 * the primary PostgreSQL's postmaster and every process it forked, optionally the Redis server)
 * gets the `realtime` CPUs; the standby PostgreSQL's postmaster and its children, and this
 * process (the report's client), get the `replica` CPUs. A backend forked later inherits its
 * postmaster's affinity. Every process's affinity is recorded before it is first changed and put
 * back by restore(), which is synchronous so that it can run in a signal handler.
 *
 * The parsing and list-building functions are pure (pin.test.ts); the rest reads /proc and runs
 * taskset.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** CPUs as taskset -c and /proc/self/status's Cpus_allowed_list write them: `0`, `0-3,6`. */
export function parseCpuList(text: string): number[] {
  const out = new Set<number>();
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('empty CPU list');
  for (const part of trimmed.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`bad CPU list "${text}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new Error(`bad CPU range "${part}" in "${text}"`);
    for (let c = lo; c <= hi; c++) out.add(c);
  }
  return [...out].sort((a, b) => a - b);
}

/** The list for `taskset -c`: `0,1,2`. */
export function formatCpuList(cpus: readonly number[]): string {
  return [...cpus].sort((a, b) => a - b).join(',');
}

/** Which CPUs each side gets. */
export interface PinPlan {
  /** bench:handoff, the primary PostgreSQL (and Redis with --pin-redis). */
  realtime: number[];
  /** The standby PostgreSQL and the report's client (this process). */
  replica: number[];
}

/**
 * The plan for `cores` online CPUs, from the two lists given (--pin-realtime, --pin-replica):
 * each non-empty, on CPUs that exist, and sharing none, or the two sides would compete again.
 */
export function pinPlan(cores: number, realtimeText: string, replicaText: string): PinPlan {
  if (cores < 2) throw new Error(`--pin needs at least 2 CPUs, this machine has ${cores}`);
  const realtime = parseCpuList(realtimeText);
  const replica = parseCpuList(replicaText);
  for (const c of [...realtime, ...replica]) {
    if (c >= cores) throw new Error(`CPU ${c} does not exist (CPUs 0-${cores - 1})`);
  }
  const shared = realtime.filter((c) => replica.includes(c));
  if (shared.length > 0) {
    throw new Error(`the real-time and replica CPUs overlap (${formatCpuList(shared)})`);
  }
  return { realtime, replica };
}

/** The parent pid in a /proc/<pid>/stat line (the command name may hold spaces and parens). */
export function parseStatPpid(stat: string): number {
  // After "pid (comm) ": state, then ppid.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(f[1]);
  if (!Number.isInteger(ppid)) throw new Error('bad /proc stat line');
  return ppid;
}

/** The CPU a task last ran on (field 39, "processor") in a /proc/<pid>/stat line. */
export function parseStatCpu(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Field 39 overall is the 37th after "pid (comm)" (field 3, state, is index 0).
  const cpu = Number(f[36]);
  if (!Number.isInteger(cpu)) throw new Error('bad /proc stat line');
  return cpu;
}

/** `root` and every process below it, from (pid, ppid) pairs; root first, then breadth-first. */
export function descendants(
  root: number,
  table: ReadonlyArray<{ pid: number; ppid: number }>,
): number[] {
  const children = new Map<number, number[]>();
  for (const { pid, ppid } of table) {
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out = [root];
  const seen = new Set(out);
  for (let i = 0; i < out.length; i++) {
    for (const c of children.get(out[i] ?? -1) ?? []) {
      if (!seen.has(c)) {
        seen.add(c);
        out.push(c);
      }
    }
  }
  return out;
}

/** The CPU list in `taskset -p -c <pid>`'s answer ("pid 7's current affinity list: 0,1"). */
export function parseTasksetAnswer(text: string): number[] {
  const m = /affinity list:\s*([0-9,-]+)/.exec(text);
  if (!m?.[1]) throw new Error(`unexpected taskset answer "${text.trim()}"`);
  return parseCpuList(m[1]);
}

/** Every process on the machine with its parent (Linux /proc). */
export function processTable(): Array<{ pid: number; ppid: number }> {
  const out: Array<{ pid: number; ppid: number }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      out.push({
        pid: Number(name),
        ppid: parseStatPpid(readFileSync(`/proc/${name}/stat`, 'utf8')),
      });
    } catch {
      // gone since the listing
    }
  }
  return out;
}

/** The CPU process `pid` last ran on, or null when it is gone. */
export function lastCpu(pid: number): number | null {
  try {
    return parseStatCpu(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** The parent of `pid`, or null when it is not visible here. */
export function parentOf(pid: number): number | null {
  try {
    return parseStatPpid(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** The command name of `pid` (/proc/<pid>/comm), or null. */
export function commOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

function getAffinity(pid: number): number[] | null {
  try {
    return parseTasksetAnswer(
      execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8', stdio: 'pipe' }),
    );
  } catch {
    return null; // gone
  }
}

/** Sets the affinity of every thread of `pid`; false when the process is gone. */
function setAffinity(pid: number, cpus: readonly number[]): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', formatCpuList(cpus), String(pid)], {
      stdio: 'pipe',
    });
    return true;
  } catch (err) {
    if (getAffinity(pid) === null) return false; // exited meanwhile
    throw err;
  }
}

/** One group of processes pinned together: a root process and, if `tree`, all below it. */
export interface PinGroup {
  name: string;
  rootPid: number;
  tree: boolean;
  cpus: number[];
}

/** Pins groups of processes and puts their affinity back. */
export class Pinner {
  /** Each pid's affinity before it was first changed. */
  private readonly original = new Map<number, number[]>();
  private restored = false;

  constructor(private readonly groups: readonly PinGroup[]) {}

  /**
   * Pins every group (again: a process forked since the last call is picked up); returns how
   * many processes each group has now.
   */
  apply(): Record<string, number> {
    const table = processTable();
    const counts: Record<string, number> = {};
    for (const g of this.groups) {
      const pids = g.tree ? descendants(g.rootPid, table) : [g.rootPid];
      let n = 0;
      for (const pid of pids) {
        if (!this.original.has(pid)) {
          const before = getAffinity(pid);
          if (before === null) continue;
          this.original.set(pid, before);
        }
        if (setAffinity(pid, g.cpus)) n++;
      }
      counts[g.name] = n;
    }
    this.restored = false;
    return counts;
  }

  /**
   * Puts back every affinity changed, and gives a process forked while pinned its group root's
   * original affinity. Synchronous and safe to call twice; never throws.
   */
  restore(): void {
    if (this.restored) return;
    this.restored = true;
    const table = processTable();
    for (const g of this.groups) {
      const rootBefore = this.original.get(g.rootPid);
      if (!rootBefore) continue;
      const pids = g.tree ? descendants(g.rootPid, table) : [g.rootPid];
      for (const pid of pids) {
        try {
          setAffinity(pid, this.original.get(pid) ?? rootBefore);
        } catch {
          // best effort: a process we may not touch any more
        }
      }
    }
  }
}

/** The server's pid in Redis's `INFO server` answer (`process_id:1234`). */
export function parseRedisPid(info: string): number {
  const m = /^process_id:(\d+)\s*$/m.exec(info);
  if (!m) throw new Error('no process_id in INFO server');
  return Number(m[1]);
}

/** How often each CPU was seen, `{ "1": 58 }`, as `1:58` (`0:3 1:55` when several). */
export function formatCpuSeen(seen: Readonly<Record<string, number>> | null): string {
  if (!seen) return '-';
  const keys = Object.keys(seen).sort((a, b) => Number(a) - Number(b));
  return keys.length ? keys.map((k) => `${k}:${seen[k]}`).join(' ') : '-';
}
