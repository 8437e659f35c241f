import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { CallId } from '@ringside/protocol';

/**
 * A new call id: time-ordered (base 36 ms) plus 40 random bits, 20 characters, safe as an ARI
 * channel id (`<callId>` and `<callId>-2`).
 */
export function newCallId(nowMs = Date.now()): CallId {
  return `c${nowMs.toString(36)}${randomBytes(5).toString('hex')}` as CallId;
}

/** This process as a lease owner: host, pid and a random part (a restart is a new owner). */
export function dialerInstanceId(): string {
  return `${hostname().slice(0, 32)}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
