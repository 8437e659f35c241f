/**
 * Polls `ok` every 20 ms until it holds; throws naming `what` after `timeoutMs` (10 s unless
 * told). A liveness bound only, never a speed goal: a test waits for something to happen, not for
 * how fast.
 */
export async function waitFor(
  what: string,
  ok: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  for (const end = Date.now() + timeoutMs; ;) {
    if (await ok()) return;
    if (Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
