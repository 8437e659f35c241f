import { useEffect, useRef, useState, type ReactNode } from 'react';
import { visibleRange } from './model.js';

/**
 * A windowed list of fixed-height rows: only the rows in view (plus a few above and below) are
 * in the DOM, so 1,000 agents cost the same to render as 30. The spacer keeps the scrollbar true.
 * Its height is the stylesheet's (`.sv-scroll`: the rest of the screen), measured, so the window
 * follows the screen rather than a fixed row count. Why this stays hand-written rather than a
 * library: docs/supervisor.md, "Virtual list and charts: kept".
 */
export function VirtualList<T>(props: {
  items: readonly T[];
  rowPx: number;
  keyOf(item: T): string;
  render(item: T): ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [heightPx, setHeightPx] = useState(600);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setHeightPx(el.clientHeight || 600);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const { start, end } = visibleRange(scrollTop, heightPx, props.rowPx, props.items.length);
  return (
    <div
      ref={ref}
      className="sv-scroll"
      // A scrolling region keyboard users can reach (axe: scrollable-region-focusable).
      tabIndex={0}
      role="rowgroup"
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <div style={{ height: props.items.length * props.rowPx, position: 'relative' }}>
        {props.items.slice(start, end).map((item, i) => (
          <div
            key={props.keyOf(item)}
            className="sv-slot"
            style={{ top: (start + i) * props.rowPx, height: props.rowPx }}
          >
            {props.render(item)}
          </div>
        ))}
      </div>
    </div>
  );
}
