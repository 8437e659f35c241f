/**
 * Errors are classes with a stable `code`, a `retryable` flag and a `cause` (STYLE.md §5).
 * http/ and ws/ map them to status codes and WebSocket error messages in one place.
 */
export abstract class RingsideError extends Error {
  abstract readonly code: string;
  readonly retryable: boolean = false;
  /** HTTP status the API answers with; 500 unless a subclass says otherwise. */
  readonly httpStatus: number = 500;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The base of an error that is nothing but its code and HTTP status:
 * `class NotFoundError extends errorKind('NOT_FOUND', 404) {}` (written once, not per class).
 */
export function errorKind<C extends string>(code: C, httpStatus: number) {
  return class extends RingsideError {
    readonly code: C = code;
    override readonly httpStatus: number = httpStatus;
  };
}

/** Input that breaks a schema or a limit; names the field. */
export class ValidationError extends RingsideError {
  readonly code = 'VALIDATION';
  override readonly httpStatus = 400;
  constructor(
    message: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }> = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class NotFoundError extends errorKind('NOT_FOUND', 404) {}

export class ConflictError extends errorKind('CONFLICT', 409) {}

export class UnauthorizedError extends errorKind('UNAUTHORIZED', 401) {}

export class ForbiddenError extends errorKind('FORBIDDEN', 403) {}

/** A state machine refused a transition; the state is unchanged. */
export class IllegalTransitionError extends RingsideError {
  readonly code = 'ILLEGAL_TRANSITION';
  override readonly httpStatus = 409;
  constructor(
    readonly from: string,
    readonly event: string,
    message = `cannot ${event} from ${from}`,
  ) {
    super(message);
  }
}

/** A compliance rule stopped an action (DNC, calling window, drop-rate budget). */
export class ComplianceError extends RingsideError {
  readonly code = 'COMPLIANCE';
  override readonly httpStatus = 422;
  constructor(
    readonly rule: 'DNC' | 'CALLING_WINDOW' | 'DROP_BUDGET' | 'MAX_ATTEMPTS' | 'NO_READY_AGENT',
    message: string,
  ) {
    super(message);
  }
}

/** A dependency (PostgreSQL, Redis, Asterisk) is unreachable or failed; may be retried. */
export class UnavailableError extends RingsideError {
  readonly code = 'UNAVAILABLE';
  override readonly retryable = true;
  override readonly httpStatus = 503;
}

/**
 * A write refused because the writer no longer holds the lease that entitles it (an ari-worker
 * whose server lease another instance took: docs/scaling.md, "Every role twice"). Nothing was
 * written; the lease's new holder has taken over.
 */
export class LeaseLostError extends RingsideError {
  readonly code = 'LEASE_LOST';
  override readonly httpStatus = 503;
}

/** The configuration is invalid; the program stops with this one line. */
export class ConfigError extends RingsideError {
  readonly code = 'CONFIG';
}
