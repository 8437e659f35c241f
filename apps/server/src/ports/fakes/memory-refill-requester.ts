import type { CampaignId } from '@ringside/protocol';
import type { HopperRefillRequester } from '../hopper.js';

/** Records refill requests (unit tests of the dialer check that it asks when a hopper runs low). */
export class MemoryRefillRequester implements HopperRefillRequester {
  readonly requests: CampaignId[] = [];

  async request(campaignId: CampaignId): Promise<void> {
    this.requests.push(campaignId);
  }
}
