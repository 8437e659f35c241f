/**
 * `npx tsx bench/floor/profile.ts <dir> [top]`: the functions with the most self time in each V8
 * CPU profile bench:floor --cpu-prof wrote (a directory per process), to name a bottleneck.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (name and file), ms, largest first. */
export function selfTimes(p: Profile): Array<{ fn: string; ms: number }> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const ms = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i] as number);
    if (!n) continue;
    const f = n.callFrame;
    const where = f.url
      ? `${f.url.replace(/^.*\/(node_modules|work\/main)\//, '')}:${f.lineNumber + 1}`
      : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    ms.set(key, (ms.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  return [...ms.entries()].map(([fn, v]) => ({ fn, ms: v })).sort((a, b) => b.ms - a.ms);
}

const [dir, topRaw] = process.argv.slice(2);
if (dir) {
  const top = Number(topRaw ?? 12);
  for (const sub of readdirSync(dir).sort()) {
    // A process directory holds the main thread's profile and tsx's loader thread's: the larger.
    const files = readdirSync(join(dir, sub))
      .filter((n) => n.endsWith('.cpuprofile'))
      .map((n) => ({ n, size: statSync(join(dir, sub, n)).size }))
      .sort((a, b) => b.size - a.size);
    if (!files[0]) continue;
    const f = `${sub}/${files[0].n}`;
    const times = selfTimes(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile);
    const total = times.reduce((s, t) => s + t.ms, 0);
    console.log(`${f}: ${(total / 1000).toFixed(1)} s sampled`);
    for (const t of times.slice(0, top))
      console.log(`  ${((100 * t.ms) / total).toFixed(1).padStart(5)} %  ${t.fn}`);
  }
}
