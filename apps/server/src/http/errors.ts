import { z } from 'zod';
import type { ErrorBody } from '@ringside/protocol';
import { RingsideError, ValidationError } from '../errors.js';

/**
 * The one place that turns errors into HTTP answers (STYLE.md §5); the WebSocket gateway uses
 * the same mapping for its error messages.
 */

/** Too many attempts (login rate limits). */
export class RateLimitedError extends RingsideError {
  readonly code = 'RATE_LIMITED';
  override readonly retryable = true;
  override readonly httpStatus = 429;
  constructor(
    message: string,
    /** When the caller may try again (ms from now). */
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** The request body is not of a type the route accepts. */
export class UnsupportedMediaTypeError extends RingsideError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  override readonly httpStatus = 415;
}

/** A zod failure as a ValidationError naming each field (`a.b.0.c`; `(root)` for the whole). */
export function fromZod(error: z.ZodError, prefix?: string): ValidationError {
  const issues = error.issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== '');
    return { path: path.length ? path.join('.') : '(root)', message: i.message };
  });
  const first = issues[0];
  const message = first ? `${first.path}: ${first.message}` : 'invalid input';
  return new ValidationError(message, issues, { cause: error });
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** Worth logging at error level (a bug or a dependency failure, not the caller's fault). */
  internal: boolean;
}

/** Fastify's own errors carry a statusCode and a code such as FST_ERR_CTP_INVALID_MEDIA_TYPE. */
interface FrameworkError {
  statusCode: number;
  code?: string;
  message: string;
}

function isFrameworkError(err: unknown): err is FrameworkError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { statusCode?: unknown }).statusCode === 'number' &&
    typeof (err as { message?: unknown }).message === 'string'
  );
}

const FRAMEWORK_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

export function mapError(err: unknown): MappedError {
  if (err instanceof z.ZodError) return mapError(fromZod(err));
  if (err instanceof ValidationError) {
    return {
      status: 400,
      body: { error: { code: err.code, message: err.message, issues: [...err.issues] } },
      internal: false,
    };
  }
  if (err instanceof RingsideError) {
    const status = err.httpStatus;
    // A 5xx RingsideError message may name internals (hosts, SQL); say only what kind it is.
    const message = status >= 500 ? 'service unavailable' : err.message;
    return { status, body: { error: { code: err.code, message } }, internal: status >= 500 };
  }
  if (isFrameworkError(err) && err.statusCode >= 400 && err.statusCode < 500) {
    const code = FRAMEWORK_CODES[err.statusCode] ?? 'BAD_REQUEST';
    // Fastify's client-error messages describe the request (bad JSON, body too large), not us.
    return {
      status: err.statusCode,
      body: { error: { code, message: err.message } },
      internal: false,
    };
  }
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: 'internal error' } },
    internal: true,
  };
}
