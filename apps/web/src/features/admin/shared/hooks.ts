import { useCallback, useState } from 'react';
import { fieldErrors } from './kit.js';

/** Hooks the admin forms share: an action's outcome for the banners, and a form's draft. */

export type SafeParse<T> = (
  value: unknown,
) => { success: true; data: T } | { success: false; error: unknown };

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
    try {
      setOk(await action());
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
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
