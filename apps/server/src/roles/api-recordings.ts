import type pg from 'pg';
import type { AuditLog } from '../ports/audit.js';
import type { AmdAudit } from '../ports/dialer.js';
import type { Clock } from '../ports/clock.js';
import type { EventBus } from '../ports/event-bus.js';
import type { Logger } from '../logger.js';
import type { RecordingsConfig } from '../config.js';
import { createQualityRepo } from '../adapters/postgres/quality.js';
import { createRecordingsReadRepo } from '../adapters/postgres/recordings-read.js';
import { openRecordingVault } from '../adapters/storage/index.js';
import { RecordingPlayer } from '../services/recordings/play/player.js';
import { QualityService } from '../services/quality/quality-service.js';

/**
 * The api role's listening and quality review (routes/recording-play.ts, routes/quality.ts): the
 * recordings' reads and the vault the mover writes to (RECORDINGS_URL, the same keys), the
 * scorecards and reviews, and the AMD audit's store the AMD review list's marks count in.
 */
export async function createListeningDeps(o: {
  pool: pg.Pool;
  recordings: RecordingsConfig;
  production: boolean;
  audit: AuditLog;
  amdAudit: Pick<AmdAudit, 'pending' | 'mark'>;
  /** Quality review's changes are published on it (quality.* events). */
  bus: Pick<EventBus, 'publish'>;
  clock: Clock;
  logger: Logger;
}): Promise<{ recordingPlay: RecordingPlayer; quality: QualityService; close(): void }> {
  const vault = await openRecordingVault(o.recordings, o.pool, o.logger, o.production);
  const recordings = createRecordingsReadRepo(o.pool);
  const recordingPlay = new RecordingPlayer({
    repo: recordings,
    vault,
    audit: o.audit,
    logger: o.logger,
  });
  const quality = new QualityService({
    repo: createQualityRepo(o.pool),
    recordings,
    player: recordingPlay,
    audit: o.audit,
    amdAudit: o.amdAudit,
    bus: o.bus,
    clock: o.clock,
    logger: o.logger,
  });
  return { recordingPlay, quality, close: () => vault.close() };
}
