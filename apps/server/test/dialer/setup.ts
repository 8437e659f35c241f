import { Redis } from 'ioredis';
import type { CampaignId, ListId } from '@ringside/protocol';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { createCampaignWithList } from '../helpers/dialer.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';

/** What a dialer integration test file starts from. */
export interface DialerTestBed {
  db: TestDb;
  redis: Redis;
  /** An active progressive campaign named after the file, with one list. */
  campaignId: CampaignId;
  listId: ListId;
}

/** A fresh schema (`label`), a Redis connection and one active progressive campaign with a list. */
export async function dialerTestBed(label: string, campaignName: string): Promise<DialerTestBed> {
  const db = await createTestDb(label);
  const redis = new Redis(TEST_REDIS_URL);
  const { campaignId, listId } = await createCampaignWithList(db.pool, {
    name: campaignName,
    active: true,
    dialMethod: 'progressive',
  });
  return { db, redis, campaignId, listId };
}
