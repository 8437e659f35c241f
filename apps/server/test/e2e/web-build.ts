import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built agent panel the e2e front server serves. The e2e project's global setup builds it
 * once, before any e2e file starts (files run two at a time, and two builds into one dist/ would
 * trip over each other); each file checks again, for a single file run after an edit.
 */

const here = path.dirname(fileURLToPath(import.meta.url));

export const WEB_DIST = path.resolve(here, '../../../web/dist');
const REPO = path.resolve(here, '../../../..');

/** Builds the panel unless dist/ is newer than every source file (a build takes a few seconds). */
export function ensureWebBuild(): void {
  const web = path.dirname(WEB_DIST);
  const built = path.join(WEB_DIST, 'index.html');
  const sources = [
    ...readdirSync(path.join(web, 'src'), { recursive: true }).map((f) =>
      path.join(web, 'src', String(f)),
    ),
    path.join(web, 'index.html'),
    path.join(web, 'phone-test.html'),
    path.join(web, 'vite.config.ts'),
  ];
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  // vitest sets NODE_ENV=test, which would make Vite ship React's development build.
  execFileSync('npx', ['vite', 'build', 'apps/web', '--logLevel', 'warn'], {
    cwd: REPO,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

/** The e2e project's global setup (vitest.config.ts): the build, once for every e2e file. */
export default function setup(): void {
  ensureWebBuild();
}
