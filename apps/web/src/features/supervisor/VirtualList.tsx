import { useState, type ReactNode } from 'react';
import { visibleRange } from './model.js';

/**
 * A windowed list of fixed-height rows: only the rows in view (plus a few above and below) are
 * in the DOM, so 1,000 agents cost the same to render as 30. The spacer keeps the scrollbar true.
 */
export function VirtualList<T>(props: {
  items: readonly T[];
  rowPx: number;
  heightPx: number;
  keyOf(item: T): string;
  render(item: T): ReactNode;
}) {
  const [scrollTop, setScrollTop] = useState(0);
  const { start, end } = visibleRange(scrollTop, props.heightPx, props.rowPx, props.items.length);
  return (
    <div
      className="sv-scroll"
      style={{ height: props.heightPx, overflowY: 'auto', position: 'relative' }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <div style={{ height: props.items.length * props.rowPx, position: 'relative' }}>
        {props.items.slice(start, end).map((item, i) => (
          <div
            key={props.keyOf(item)}
            style={{
              position: 'absolute',
              top: (start + i) * props.rowPx,
              height: props.rowPx,
              left: 0,
              right: 0,
            }}
          >
            {props.render(item)}
          </div>
        ))}
      </div>
    </div>
  );
}
