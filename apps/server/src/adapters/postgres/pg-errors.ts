import {
  ConflictError,
  NotFoundError,
  RingsideError,
  UnavailableError,
  ValidationError,
} from '../../errors.js';

/** The fields of a node-postgres DatabaseError this module reads. */
interface PgErrorLike {
  code?: unknown;
  constraint?: unknown;
  column?: unknown;
  detail?: unknown;
}

/**
 * Turns a PostgreSQL error into the Ringside error the API maps to a status: unique violation ->
 * ConflictError, foreign key -> NotFoundError (the referenced row is missing), check / not null /
 * bad value -> ValidationError, connection failures -> UnavailableError. Others are returned as is.
 * `what` names the thing being written, for the message.
 */
export function mapPgError(err: unknown, what: string): unknown {
  if (err instanceof RingsideError || typeof err !== 'object' || err === null) return err;
  const e = err as PgErrorLike;
  const code = typeof e.code === 'string' ? e.code : '';
  const constraint = typeof e.constraint === 'string' ? e.constraint : '';
  switch (code) {
    case '23505':
      return new ConflictError(`${what} already exists (${constraint})`, { cause: err });
    case '23503':
      return new NotFoundError(`${what} refers to a row that does not exist (${constraint})`, {
        cause: err,
      });
    case '23514':
    case '23502':
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
      return new ValidationError(
        `${what} is invalid (${constraint || code})`,
        [
          {
            path: typeof e.column === 'string' ? e.column : constraint,
            message: 'rejected by the database',
          },
        ],
        { cause: err },
      );
    case '57P01':
    case '08006':
    case '08001':
    case '08003':
      return new UnavailableError('PostgreSQL is unavailable', { cause: err });
    default:
      if ('code' in e && (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET')) {
        return new UnavailableError('PostgreSQL is unavailable', { cause: err });
      }
      return err;
  }
}

/** Runs a write and rethrows its failure as a Ringside error. */
export async function mapErrors<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw mapPgError(err, what);
  }
}

/** A decimal id from the API: positive integer as a string, else ValidationError on `field`. */
export function idParam(value: string | number | bigint, field: string): string {
  const s = String(value);
  if (!/^[1-9]\d{0,18}$/.test(s)) {
    throw new ValidationError(`${field} must be a positive integer id`, [
      { path: field, message: 'must be a positive integer id' },
    ]);
  }
  return s;
}
