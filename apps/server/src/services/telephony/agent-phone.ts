import type { AgentId } from '@ringside/protocol';
import { RingsideError } from '../../errors.js';
import type { StateStore } from '../../ports/state-store.js';
import type { EndpointUsers } from '../../ports/telephony.js';
import { isAriError, isAriKind } from '../../ports/telephony-errors.js';

/**
 * An agent's phone as Asterisk sees it: the dial string of its external phone, the user a
 * dialed-in endpoint belongs to, why it could not be reached (in the agent's words), and the
 * wait for a called leg to answer.
 */

/**
 * What Asterisk dials for a user's phone leg: `users.sip_endpoint` when set (any dial string
 * Asterisk accepts: PJSIP/desk-104, PJSIP/104@pbx, Local/104@phones; a bare name means
 * PJSIP/<name>), else PJSIP/<username> (the browser phone's endpoint, services/telephony/sip-accounts.ts).
 * Null for a value that is no dial string (a sip: URI needs an endpoint: PJSIP/<endpoint>/sip:...).
 */
export function phoneDialString(user: {
  username: string;
  sipEndpoint: string | null;
}): string | null {
  const e = user.sipEndpoint?.trim() ?? '';
  if (e.length === 0) return `PJSIP/${user.username}`;
  if (/^[A-Za-z][A-Za-z0-9_]*\/\S+$/.test(e)) return e;
  if (/^[A-Za-z0-9_.-]+$/.test(e)) return `PJSIP/${e}`;
  return null;
}

/** Why an agent's phone could not be brought into its bridge (safe to show; names no number). */
export type PhoneFailure =
  'bad_endpoint' | 'no_such_phone' | 'no_answer' | 'rejected' | 'unreachable' | 'failed';

/** The failure behind an `attach` error. */
export function phoneFailureOf(err: unknown): PhoneFailure {
  if (!isAriError(err)) return 'failed';
  if (err.kind === 'unavailable' || err.kind === 'timeout') return 'unreachable';
  // chan_pjsip creates no channel for an unknown or unregistered endpoint: "Allocation failed"
  // (500); an unknown technology or malformed string: 400.
  if (err.kind === 'badRequest' || (err.kind === 'serverError' && err.status === 500)) {
    return 'no_such_phone';
  }
  // Still ringing when the answer time ran out (the add is refused until it answers).
  if (err.kind === 'conflict' || err.kind === 'unprocessable') return 'no_answer';
  // The channel went away before it answered: refused, busy, or hung up.
  if (err.kind === 'notFound') return 'rejected';
  return 'failed';
}

/** The agent's words for a phone failure. */
export const PHONE_FAILURE_TEXT: Record<PhoneFailure, string> = {
  bad_endpoint:
    'Your SIP endpoint is not a dial string Asterisk accepts (such as PJSIP/desk-104): ask an ' +
    'administrator to correct it.',
  no_such_phone:
    'Asterisk could not call your phone: it knows no phone by your SIP endpoint, or that phone ' +
    'is not registered (Asterisk answered "Allocation failed"). Ask an administrator to check ' +
    'your SIP endpoint, or make sure the phone is switched on and registered.',
  no_answer: 'Your phone did not answer: pick it up when it rings, then connect again.',
  rejected: 'Your phone rejected the call or hung up before answering: connect again.',
  unreachable: 'The phone server is unreachable: try again in a moment.',
  failed: 'Your phone could not be connected: try again, or ask an administrator.',
};

/**
 * The agent's phone could not be brought up: a 409 whose message tells the agent why (the panel
 * shows it as the phone's status). Names no endpoint or number.
 */
export class PhoneUnreachableError extends RingsideError {
  readonly code = 'PHONE_UNREACHABLE';
  override readonly httpStatus = 409;
  constructor(
    readonly failure: PhoneFailure,
    options?: { cause?: unknown },
  ) {
    super(PHONE_FAILURE_TEXT[failure], options);
  }
}

/**
 * The agent a dialed-in phone belongs to: the user named like the endpoint (softphones are
 * provisioned under the username, services/telephony/sip-accounts.ts), else a user whose external phone
 * (`users.sip_endpoint`) is `PJSIP/<endpoint>` or the endpoint itself. Only an active user logged
 * in to a campaign counts; null otherwise.
 */
export function agentOfEndpoint(
  users: EndpointUsers,
  store: Pick<StateStore, 'getAgent'>,
): (endpoint: string) => Promise<AgentId | null> {
  const loggedIn = async (id: string): Promise<boolean> => {
    const s = await store.getAgent(id as AgentId);
    return s !== null && s.state !== 'LOGGED_OUT';
  };
  return async (endpoint) => {
    const name = endpoint.replace(/^pjsip\//i, '');
    if (name.length === 0) return null;
    const byName = await users.findByUsername(name);
    if (byName?.active && (await loggedIn(byName.id))) return byName.id as AgentId;
    const wanted = new Set([`PJSIP/${name}`, name]);
    for (const u of await users.list({ active: true })) {
      if (u.sipEndpoint && wanted.has(u.sipEndpoint) && (await loggedIn(u.id))) {
        return u.id as AgentId;
      }
    }
    return null;
  };
}

/**
 * Adds a called leg to a bridge once it answers: the phone enters the app only then, and until
 * then ARI refuses the add (409/422). Past `timeoutMs` (wall clock) or on any other refusal the
 * leg is hung up (`hangup`) and the error thrown.
 */
export async function addWhenAnswered(
  ari: { addChannel(bridgeId: string, channel: string): Promise<void> },
  bridgeId: string,
  channelId: string,
  o: { timeoutMs: number; retryMs: number; hangup: () => Promise<unknown> },
): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    try {
      await ari.addChannel(bridgeId, channelId);
      return;
    } catch (err) {
      const notYet = isAriKind(err, 'conflict', 'unprocessable');
      if (!notYet || Date.now() >= deadline) {
        await o.hangup().catch(() => undefined);
        throw err;
      }
    }
    await new Promise((r) => setTimeout(r, o.retryMs));
  }
}
