#!/usr/bin/env node
// Runs shell commands side by side, as many at once as the machine has cores (or `-j N`), and
// exits non-zero when any of them failed. Each command's output is held back and printed in one
// piece when it ends, so the log reads like the commands had run one after another.
// Usage: node scripts/parallel.mjs [-j N] 'command one' 'command two' ...
// `npm run check:static` runs its steps (each tsc project, ESLint, Prettier, the dependency rule)
// through it: alone, each of them keeps a single core busy, and the CI machine has two.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import os from 'node:os';

const args = process.argv.slice(2);
let jobs = os.availableParallelism();
if (args[0] === '-j') {
  jobs = Math.max(1, Number(args[1]) || 1);
  args.splice(0, 2);
}
if (args.length === 0) {
  console.error('usage: node scripts/parallel.mjs [-j N] command...');
  process.exit(2);
}

const failed = [];
let next = 0;

/** Runs the next queued command, and the one after it when this one ends. */
async function worker() {
  while (next < args.length) {
    const command = args[next++];
    const started = Date.now();
    const code = await new Promise((resolve) => {
      const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const out = [];
      child.stdout.on('data', (b) => out.push(b));
      child.stderr.on('data', (b) => out.push(b));
      child.on('close', (c, signal) => {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        process.stdout.write(`> ${command} (${seconds} s)\n`);
        process.stdout.write(Buffer.concat(out));
        resolve(signal ? 1 : (c ?? 1));
      });
    });
    if (code !== 0) failed.push(`${command} (exit ${code})`);
  }
}

await Promise.all(Array.from({ length: Math.min(jobs, args.length) }, worker));
if (failed.length > 0) {
  process.stderr.write(`\nfailed:\n${failed.map((f) => `  ${f}`).join('\n')}\n`);
  process.exit(1);
}
