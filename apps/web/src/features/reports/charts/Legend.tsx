/** One legend entry: a swatch (solid or dashed line) and its name. */
export interface LegendItem {
  name: string;
  color: string;
  dashed?: boolean;
}

/** A one-row legend inside the chart's SVG, at (x, y), so the picture explains itself. */
export function Legend(props: { items: readonly LegendItem[]; x: number; y: number }) {
  let at = props.x;
  return (
    <g className="chart-legend" aria-hidden="true">
      {props.items.map((item) => {
        const x = at;
        // About 7.5 px per character at 12 px (generous): entries stay apart without measuring text.
        at += 28 + item.name.length * 7.5 + 16;
        return (
          <g key={item.name} transform={`translate(${x} ${props.y})`}>
            <line
              x1={0}
              x2={22}
              y1={0}
              y2={0}
              stroke={item.color}
              strokeWidth={item.dashed ? 2 : 6}
              strokeDasharray={item.dashed ? '5 3' : undefined}
            />
            <text x={28} y={4} fontSize={12}>
              {item.name}
            </text>
          </g>
        );
      })}
    </g>
  );
}
