import { RingsideError } from '../errors.js';

/**
 * Why a telephony (ARI) request failed, as services decide on it: from Asterisk's HTTP status,
 * or from the transport when no answer came. Services test the kind, never Asterisk's wording.
 */
export type AriErrorKind =
  /** 400: a malformed request (unknown technology, missing parameter, channel not found on add). */
  | 'badRequest'
  /** 401: Asterisk refused the ARI user and password. */
  | 'unauthorized'
  /** 403: refused (e.g. sorcery has no writable backend for the object). */
  | 'forbidden'
  /** 404: the channel, bridge, playback or object is gone (or never was). */
  | 'notFound'
  /** 409: the object exists already or is in the wrong state (e.g. not in Stasis yet). */
  | 'conflict'
  /** 422: the request names an object in the wrong state (e.g. channel not in Stasis). */
  | 'unprocessable'
  /** Another 4xx. */
  | 'rejected'
  /** 5xx: Asterisk's own failure (e.g. "Allocation failed" for an unregistered endpoint). */
  | 'serverError'
  /** No answer: connection refused, reset, or the request could not be sent. */
  | 'unavailable'
  /** No answer within the client's timeout. */
  | 'timeout';

/** The object an error names (Asterisk's message says which: "Bridge not found"), if any. */
export type AriErrorSubject = 'bridge' | 'channel' | 'playback' | 'recording' | 'endpoint';

/** The kind an HTTP status (0: no answer) stands for. */
export function ariErrorKindOf(status: number, timedOut = false): AriErrorKind {
  if (status === 0) return timedOut ? 'timeout' : 'unavailable';
  if (status === 400) return 'badRequest';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'notFound';
  if (status === 409) return 'conflict';
  if (status === 422) return 'unprocessable';
  if (status >= 500) return 'serverError';
  return 'rejected';
}

/**
 * A telephony request failed: Asterisk answered with an error status (`status` and Asterisk's
 * own message, e.g. 404 "Channel not found"), or did not answer at all (`status` 0). The ARI
 * client throws its subclass (adapters/asterisk/ari-error.ts), which names the subject from the
 * message. Server errors and no answer may be retried; 4xx may not.
 */
export class TelephonyError extends RingsideError {
  readonly code = 'ARI';
  override readonly retryable: boolean;
  override readonly httpStatus: number;
  readonly kind: AriErrorKind;
  readonly subject: AriErrorSubject | null;
  constructor(
    /** HTTP status from Asterisk; 0 when no response arrived. */
    readonly status: number,
    /** Asterisk's message (`message` or `error` of the body), or the transport error. */
    readonly asteriskMessage: string,
    /** The operation, e.g. channels.originate. */
    readonly operation: string,
    options?: { cause?: unknown; kind?: AriErrorKind; subject?: AriErrorSubject | null },
  ) {
    super(
      `ARI ${operation} failed: ${status === 0 ? 'no response' : status} ${asteriskMessage}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.kind = options?.kind ?? ariErrorKindOf(status);
    this.subject = options?.subject ?? null;
    this.retryable = status === 0 || status >= 500;
    // What the API answers when a request it served needed Asterisk: not found stays 404,
    // Asterisk's own failure is a bad gateway, no answer is unavailable.
    this.httpStatus = status === 404 ? 404 : status === 0 ? 503 : status === 409 ? 409 : 502;
  }
}

export function isAriError(err: unknown): err is TelephonyError {
  return err instanceof TelephonyError;
}

/** The error is a telephony failure of one of these kinds. */
export function isAriKind(err: unknown, ...kinds: AriErrorKind[]): err is TelephonyError {
  return err instanceof TelephonyError && kinds.includes(err.kind);
}

/** The object is gone (404); with `subject`, only when the message names that object. */
export function isAriNotFound(err: unknown, subject?: AriErrorSubject): err is TelephonyError {
  return isAriKind(err, 'notFound') && (subject === undefined || err.subject === subject);
}

/** The object exists already or is in the wrong state (409). */
export function isAriConflict(err: unknown): err is TelephonyError {
  return isAriKind(err, 'conflict');
}

/** Asterisk did not answer (refused, reset, timed out). */
export function isAriUnreachable(err: unknown): err is TelephonyError {
  return isAriKind(err, 'unavailable', 'timeout');
}

/**
 * The server is at fault, not the request: no answer or a 5xx. Anything that is not a telephony
 * error counts too (an unexpected failure says nothing good about the server).
 */
export function isServerFault(err: unknown): boolean {
  return !(err instanceof TelephonyError) || err.retryable;
}

/** For `.catch`: the object is gone already (404), which is what was wanted; else rethrows. */
export function ignoreAriNotFound(err: unknown): void {
  if (isAriNotFound(err)) return;
  throw err;
}

/** For `.catch`: the object exists already (409), which is what was wanted; else rethrows. */
export function ignoreAriConflict(err: unknown): void {
  if (isAriConflict(err)) return;
  throw err;
}
