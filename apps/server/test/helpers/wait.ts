/**
 * Polls `ok` every 20 ms until it holds; throws naming `what` after 500 tries (10 s). A liveness
 * bound only, never a speed goal: a test waits for something to happen, not for how fast.
 */
export async function waitFor(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
