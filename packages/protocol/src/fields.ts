import { z } from 'zod';

/**
 * Pieces several schemas share, each rule written once (internal: the package exports the
 * schemas built from them, not these).
 */

/** How many (calls, agents, drops, ...): a whole number, 0 or more. */
export const Count = z.number().int().nonnegative();

/** A time of day, HH:MM on 24 hours. */
export const Hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be HH:MM (24 h)');

/** A disposition or pause code: 1 to 16 of A-Z 0-9 _ (call logs and reports refer to it). */
export const code = (message = 'must be 1-16 of A-Z 0-9 _') =>
  z.string().regex(/^[A-Z0-9_]{1,16}$/, message);

/** Text a person types (a name, a phone number, a file name): trimmed, 1 to `max` characters. */
export const typedText = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** The refinement of a partial update: it changes at least one field. */
export const changesSomething = [
  (u: object) => Object.keys(u).length > 0,
  { message: 'must change at least one field' },
] as const;

/** A PATCH body: any of `shape`'s fields, no others, at least one. */
export const patchBody = <S extends z.ZodRawShape>(shape: S) =>
  z
    .object(shape)
    .partial()
    .strict()
    .refine(...changesSomething);
