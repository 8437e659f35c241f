import type { CampaignId, ListId } from '@ringside/protocol';
import {
  newLiveCall,
  type LiveCall,
  type NewLiveCall,
  type StateStore,
} from '../../src/ports/state-store.js';
import { humanAnsweredCall } from './dialer.js';

/**
 * The live call of a customer who answered at `atMs` (the call originated then too) and was
 * judged HUMAN: waiting at AMD, or BRIDGED into `bridgeId` at the same instant when one is given.
 */
export function answeredHuman(
  c: Omit<NewLiveCall, 'originatedAtMs'>,
  atMs: number,
  bridgeId?: string,
): LiveCall {
  return {
    ...newLiveCall({ ...c, originatedAtMs: atMs }),
    stage: bridgeId ? 'BRIDGED' : 'AMD',
    bridgeId: bridgeId ?? null,
    ringingAtMs: atMs,
    answeredAtMs: atMs,
    amdAtMs: atMs,
    amdResult: 'HUMAN',
    bridgedAtMs: bridgeId ? atMs : null,
  };
}

/**
 * A live answer judged HUMAN just now that nobody acted on yet (humanAnsweredCall), written to the
 * store with its call.amd as the ARI worker would.
 */
export async function putHumanAnswer(
  store: Pick<StateStore, 'putCall'>,
  callId: string,
  campaignId: CampaignId,
  listId: ListId,
): Promise<LiveCall> {
  const now = Date.now();
  const call = humanAnsweredCall(callId, campaignId, listId, now);
  await store.putCall(call, {
    type: 'call.amd',
    callId: call.callId,
    result: 'HUMAN',
    cause: 'x',
    atMs: now,
  });
  return call;
}
