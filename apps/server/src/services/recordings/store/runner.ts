import type { Logger } from '../../../logger.js';
import type { EventBus, Subscription } from '../../../ports/event-bus.js';
import type { RecordingMover } from './mover.js';
import type { RetentionPurge } from './retention.js';

export interface RecordingStoreRunnerOptions {
  mover: Pick<RecordingMover, 'runOnce'>;
  purge: Pick<RetentionPurge, 'runOnce'>;
  bus: EventBus;
  logger: Logger;
  /** How often the mover looks for due recordings without being woken, ms (default 5,000). */
  moveEveryMs?: number;
  /** How often the retention purge runs, ms (default 600,000: 10 min). */
  purgeEveryMs?: number;
}

export interface RecordingStoreRunner {
  /** Runs the mover now (or right after the pass in progress). */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Runs the mover every `moveEveryMs`, and at once when a recording.changed with state pending
 * arrives (a call just ended), and the purge every `purgeEveryMs`: one pass of each at a time
 * in this process; several processes share the work through the rows' claims.
 */
export async function startRecordingStore(
  o: RecordingStoreRunnerOptions,
): Promise<RecordingStoreRunner> {
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  const pass = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = o.mover
      .runOnce()
      .then(() => undefined)
      .catch((err: unknown) => o.logger.warn({ err }, 'recording mover pass failed'))
      .finally(() => {
        running = null;
        if (again && !stopped) {
          again = false;
          pass();
        }
      });
  };
  let purging: Promise<void> | null = null;
  const purge = () => {
    if (stopped || purging) return;
    purging = o.purge
      .runOnce()
      .then(() => undefined)
      .catch((err: unknown) => o.logger.warn({ err }, 'recording purge failed'))
      .finally(() => (purging = null));
  };
  const sub: Subscription = await o.bus.subscribe({
    from: 'latest',
    onEvent: (env) => {
      if (
        env.event.type === 'recording.changed' &&
        env.event.state === 'pending' &&
        env.event.error === null
      )
        pass();
    },
  });
  const moveTimer = setInterval(pass, o.moveEveryMs ?? 5_000);
  const purgeTimer = setInterval(purge, o.purgeEveryMs ?? 600_000);
  pass();
  purge();
  return {
    wake: pass,
    async stop() {
      stopped = true;
      clearInterval(moveTimer);
      clearInterval(purgeTimer);
      await sub.close();
      await running;
      await purging;
    },
  };
}
