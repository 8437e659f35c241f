import { newLiveCall, type LiveCall, type NewLiveCall } from '../../src/ports/state-store.js';

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
