import { useEffect, useRef, useState } from 'react';

/** The browser's clock, ticking every `everyMs` while `active`. */
export function useNow(active: boolean, everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [active, everyMs]);
  return now;
}

/** When `on` last turned true (the browser's clock), or null while it is false. */
export function useSince(on: boolean): number | null {
  const since = useRef<number | null>(null);
  if (on && since.current === null) since.current = Date.now();
  if (!on) since.current = null;
  return since.current;
}
