import { RingsideError } from '../../errors.js';

/**
 * An ARI request failed: Asterisk answered with an error status (`status` and Asterisk's own
 * message, e.g. 404 "Channel not found"), or did not answer at all (`status` 0: connection
 * refused, reset or timed out). Server errors and no answer may be retried; 4xx may not.
 */
export class AriError extends RingsideError {
  readonly code = 'ARI';
  override readonly retryable: boolean;
  override readonly httpStatus: number;
  constructor(
    /** HTTP status from Asterisk; 0 when no response arrived. */
    readonly status: number,
    /** Asterisk's message (`message` or `error` of the body), or the transport error. */
    readonly asteriskMessage: string,
    /** The operation, e.g. channels.originate. */
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(
      `ARI ${operation} failed: ${status === 0 ? 'no response' : status} ${asteriskMessage}`,
      options,
    );
    this.retryable = status === 0 || status >= 500;
    // What the API answers when a request it served needed Asterisk: not found stays 404,
    // Asterisk's own failure is a bad gateway, no answer is unavailable.
    this.httpStatus = status === 404 ? 404 : status === 0 ? 503 : status === 409 ? 409 : 502;
  }
}
