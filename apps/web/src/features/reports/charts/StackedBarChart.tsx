import { ChartFrame } from './ChartFrame.js';
import { linearScale, niceTicks, stack } from './scale.js';

const M = { left: 150, right: 16, top: 30, bottom: 40 };
const BAR_PX = 16;
const GAP_PX = 6;

/**
 * Horizontal stacked bars, one per category (e.g. agent), in plain SVG: role="img" with the
 * summary as its accessible name and a <title>, a value axis with its label, a legend, and a
 * <title> on each segment (its exact value on hover).
 */
export function StackedBarChart(props: {
  title: string;
  summary: string;
  segments: ReadonlyArray<{ name: string; color: string }>;
  bars: ReadonlyArray<{ label: string; values: readonly number[] }>;
  /** Axis unit: bar values are divided by this for the axis (e.g. 3,600,000 for hours). */
  unitDivisor: number;
  xLabel: string;
  /** A segment's exact value, for its tooltip. */
  formatValue(v: number): string;
  width?: number;
}) {
  const width = props.width ?? 760;
  const height = M.top + M.bottom + props.bars.length * (BAR_PX + GAP_PX);
  let max = 0;
  const stacks = props.bars.map((b) => {
    const s = stack(b.values);
    max = Math.max(max, s[s.length - 1]?.[1] ?? 0);
    return s;
  });
  const axis = niceTicks(0, max / props.unitDivisor, 6);
  const sx = linearScale(axis.lo, axis.hi, M.left, width - M.right);
  const at = (v: number) => sx(v / props.unitDivisor);
  const bottom = height - M.bottom;
  return (
    <ChartFrame
      chart={props}
      width={width}
      height={height}
      legend={props.segments}
      legendX={M.left}
    >
      <g className="chart-axis" fontSize={11}>
        {axis.ticks.map((t) => (
          <g key={t}>
            <line x1={sx(t)} x2={sx(t)} y1={M.top} y2={bottom} stroke="#e3e3e3" />
            <text x={sx(t)} y={bottom + 16} textAnchor="middle">
              {t}
            </text>
          </g>
        ))}
        <line x1={M.left} x2={width - M.right} y1={bottom} y2={bottom} stroke="#555" />
        <text x={(M.left + width - M.right) / 2} y={height - 6} textAnchor="middle" fontSize={12}>
          {props.xLabel}
        </text>
      </g>
      {props.bars.map((b, i) => {
        const y = M.top + i * (BAR_PX + GAP_PX) + GAP_PX / 2;
        return (
          <g key={`${b.label}-${i}`} className="chart-bar">
            <text x={M.left - 6} y={y + BAR_PX - 4} textAnchor="end" fontSize={11}>
              {b.label.length > 22 ? `${b.label.slice(0, 21)}…` : b.label}
            </text>
            {(stacks[i] ?? []).map(([s, e], j) => {
              const seg = props.segments[j];
              if (!seg || e <= s) return null;
              return (
                <rect
                  key={seg.name}
                  x={at(s)}
                  y={y}
                  width={Math.max(0.5, at(e) - at(s))}
                  height={BAR_PX}
                  fill={seg.color}
                >
                  <title>{`${b.label}: ${seg.name} ${props.formatValue(e - s)}`}</title>
                </rect>
              );
            })}
          </g>
        );
      })}
    </ChartFrame>
  );
}
