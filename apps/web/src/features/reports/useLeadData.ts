import { useEffect, useState } from 'react';
import { ApiError, refusalMessage } from '../../core/api.js';

/**
 * One lead's data for a report screen, loaded again when `leadId`, `load` or `tick` changes (the
 * previous request is aborted); a 404 reads "No lead N.". `keepWhileLoading`: the last answer
 * stays on screen while the next one loads (a refresh); otherwise it is cleared at once. No
 * lead id: nothing is loaded. `load` must keep its identity between renders (useCallback).
 */
export function useLeadData<T>(
  leadId: string,
  load: (leadId: string, signal: AbortSignal) => Promise<T>,
  opts: { keepWhileLoading?: boolean; tick?: number } = {},
) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const keep = opts.keepWhileLoading ?? false;
  const tick = opts.tick ?? 0;
  useEffect(() => {
    if (!keep) setData(null);
    setError(null);
    if (!leadId) return;
    const ctl = new AbortController();
    load(leadId, ctl.signal)
      .then(setData)
      .catch((err: unknown) => {
        if (ctl.signal.aborted) return;
        setData(null);
        setError(
          err instanceof ApiError && err.status === 404
            ? `No lead ${leadId}.`
            : refusalMessage(err),
        );
      });
    return () => ctl.abort();
  }, [leadId, load, keep, tick]);
  return { data, error, setError };
}
