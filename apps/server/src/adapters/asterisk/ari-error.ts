import {
  ariErrorKindOf,
  TelephonyError,
  type AriErrorSubject,
} from '../../ports/telephony-errors.js';

/**
 * An ARI request failed (see TelephonyError): the client builds it from Asterisk's status and
 * message, or from the transport failure (`timedOut` when its timeout ran out). The kind comes
 * from the status; the subject from the object Asterisk's message names first ("Bridge not
 * found", "Channel not in Stasis application"), so services never read the message.
 */
export class AriError extends TelephonyError {
  constructor(
    status: number,
    asteriskMessage: string,
    operation: string,
    options?: { cause?: unknown; timedOut?: boolean },
  ) {
    super(status, asteriskMessage, operation, {
      cause: options?.cause,
      kind: ariErrorKindOf(status, options?.timedOut ?? false),
      subject: subjectOf(asteriskMessage),
    });
  }
}

const SUBJECTS: readonly AriErrorSubject[] = [
  'bridge',
  'channel',
  'playback',
  'recording',
  'endpoint',
];

/** The object Asterisk's message names first, if any. */
export function subjectOf(message: string): AriErrorSubject | null {
  const lower = message.toLowerCase();
  let best: { subject: AriErrorSubject; at: number } | null = null;
  for (const subject of SUBJECTS) {
    const at = lower.indexOf(subject);
    if (at >= 0 && (best === null || at < best.at)) best = { subject, at };
  }
  return best?.subject ?? null;
}
