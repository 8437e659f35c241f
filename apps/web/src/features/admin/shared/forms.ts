import { useCallback, useState } from 'react';
import { fieldErrors, type FieldErrors } from './kit.js';

/**
 * What the admin forms share: an action's outcome for the banners, a form's draft, and the
 * binding of a field to one key of a draft.
 */

export type SafeParse<T> = (
  value: unknown,
) => { success: true; data: T } | { success: false; error: unknown };

/**
 * Runs a form's action: on success, clears the form's error and shows the message the action
 * returns (after the action, so it announces a screen that already shows the change); on failure,
 * clears the message and keeps the error for the form's banner. True when it succeeded.
 */
export async function attempt(
  action: () => Promise<string>,
  setError: (err: unknown) => void,
  setDone: (message: string | null) => void,
): Promise<boolean> {
  try {
    const message = await action();
    setError(null);
    setDone(message);
    return true;
  } catch (err) {
    setDone(null);
    setError(err);
    return false;
  }
}

/**
 * Runs an action and keeps its outcome for the banners; `errors` are the refusal's fields.
 * `check` validates a body with the server's schema first: the data, or undefined with the
 * failure kept as the error.
 */
export function useOutcome() {
  const [error, setError] = useState<unknown>(null);
  const [ok, setOk] = useState<string | null>(null);
  const run = useCallback(async (action: () => Promise<string>): Promise<boolean> => {
    setError(null);
    setOk(null);
    return attempt(action, setError, setOk);
  }, []);
  const check = <T>(schema: { safeParse: SafeParse<T> }, value: unknown): T | undefined => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    setError(parsed.error);
    return undefined;
  };
  return { error, errors: fieldErrors(error), ok, run, setError, check };
}

/** A form's draft and a setter that merges a patch into it. */
export function useDraft<T>(initial: T): [T, (patch: Partial<T>) => void] {
  const [draft, setDraft] = useState<T>(initial);
  return [draft, (patch) => setDraft((d) => ({ ...d, ...patch }))];
}

/** The keys of a draft whose values are text (what a TextField or SelectField edits). */
type TextKey<D> = { [K in keyof D]: D[K] extends string ? K : never }[keyof D] & string;

/**
 * Binds fields to a draft: `bind(key)` is the value, change handler and error of one text key,
 * to spread into a TextField or SelectField (its id and label stay at the field). The error is
 * the refusal's `errorPrefix + key` (e.g. `rules.2.` for the third rule of a list).
 */
export function fieldBinder<D>(
  draft: D,
  set: (patch: Partial<D>) => void,
  errors: FieldErrors,
  errorPrefix = '',
) {
  return <K extends TextKey<D>>(key: K) => ({
    value: draft[key] as string,
    onChange: (value: string) => {
      const patch: Partial<D> = {};
      patch[key] = value as D[K];
      set(patch);
    },
    error: errors[`${errorPrefix}${key}`],
  });
}
