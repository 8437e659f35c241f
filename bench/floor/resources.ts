import { Redis } from 'ioredis';
import type { RealtimeClient } from '@ringside/web/core';
import type { RunningBots } from '@ringside/sim';
import { deleteKeysWithPrefix } from '../common/redis.js';
import { stopChild } from '../common/processes.js';
import { databaseUrl, onMaintenanceDb } from './database.js';
import { REDIS_URL, type Proc } from './processes.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const log = (msg: string) => process.stderr.write(`bench:floor: ${msg}\n`);

/** Everything one run made, undone by cleanup() whatever state the run reached. */
export class FloorResources {
  procs: Proc[] = [];
  bots: RunningBots[] = [];
  supervisor: RealtimeClient | null = null;
  dbName: string;
  prefix: string;
  private cleaning: Promise<void> | null = null;

  constructor(readonly id: string) {
    this.dbName = `ringside_floor_${id}`;
    this.prefix = `floor_${id}`;
  }

  get dbUrl(): string {
    return databaseUrl(this.dbName);
  }

  /** Once, whoever asks first (the run's finally, a signal); every caller waits for the end. */
  cleanup(): Promise<void> {
    this.cleaning ??= this.doCleanup();
    return this.cleaning;
  }

  private async doCleanup(): Promise<void> {
    this.supervisor?.stop();
    await Promise.race([
      Promise.all(this.bots.map((b) => b.stop().catch(() => undefined))),
      sleep(15_000),
    ]);
    await Promise.all(this.procs.map((p) => stopChild(p.child)));
    try {
      await onMaintenanceDb(`DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`);
    } catch (err) {
      log(`could not drop database ${this.dbName}: ${(err as Error).message}`);
    }
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
    try {
      await redis.connect();
      await deleteKeysWithPrefix(redis, this.prefix);
    } catch (err) {
      log(`could not delete Redis keys ${this.prefix}*: ${(err as Error).message}`);
    } finally {
      redis.disconnect();
    }
  }
}
