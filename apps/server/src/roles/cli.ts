import path from 'node:path';

/**
 * Runs a command's `main` when its module is the program started (`npm run import`, ...), not
 * when a test imports it, and exits with its code; a throw prints "<what> failed: <message>".
 */
export function runIfMain(moduleUrl: string, what: string, main: () => Promise<number>): void {
  const started = process.argv[1];
  if (started === undefined) return;
  if (path.resolve(started) !== path.resolve(new URL(moduleUrl).pathname)) return;
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
