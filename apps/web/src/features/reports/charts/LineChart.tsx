import { ChartFrame } from './ChartFrame.js';
import { linearScale, linePath, niceTicks, timeTicks } from './scale.js';

export interface LineSeries {
  name: string;
  color: string;
  dashed?: boolean;
  /** One value per x; null is a gap (no data), not zero. */
  values: ReadonlyArray<number | null>;
}

/** A horizontal reference line, e.g. the drop-rate cap. */
export interface RefLine {
  name: string;
  value: number;
  color: string;
}

const M = { left: 60, right: 16, top: 30, bottom: 46 };
/** Up to this many points each gets a dot (so a one-point series still shows). */
const MAX_DOTS = 62;

/**
 * Lines over a UTC time axis, in plain SVG: role="img" with the summary as its accessible name
 * and a <title>; axes with ticks and labels, a legend, optional reference lines.
 */
export function LineChart(props: {
  title: string;
  summary: string;
  /** Epoch ms of each point (ascending). */
  xs: readonly number[];
  xLabel: string;
  formatX(atMs: number): string;
  yLabel: string;
  formatY?(v: number): string;
  series: readonly LineSeries[];
  refLines?: readonly RefLine[];
  width?: number;
  height?: number;
}) {
  const width = props.width ?? 760;
  const height = props.height ?? 280;
  const refs = props.refLines ?? [];
  const fmtY = props.formatY ?? String;
  const x0 = props.xs[0] ?? 0;
  const x1 = props.xs[props.xs.length - 1] ?? x0;
  let max = 0;
  for (const s of props.series) for (const v of s.values) if (v !== null && v > max) max = v;
  for (const r of refs) max = Math.max(max, r.value);
  const y = niceTicks(0, max, 5);
  const sx = linearScale(x0, x1, M.left, width - M.right);
  const sy = linearScale(y.lo, y.hi, height - M.bottom, M.top);
  const xt = timeTicks(x0, x1, Math.max(2, Math.floor((width - M.left - M.right) / 110)));
  const dots = props.xs.length <= MAX_DOTS;
  return (
    <ChartFrame
      chart={props}
      width={width}
      height={height}
      legend={[
        ...props.series.map((s) => ({ name: s.name, color: s.color, dashed: s.dashed })),
        ...refs.map((r) => ({ name: r.name, color: r.color, dashed: true })),
      ]}
      legendX={M.left}
    >
      <g className="chart-axis" fontSize={11}>
        {y.ticks.map((t) => (
          <g key={t}>
            <line x1={M.left} x2={width - M.right} y1={sy(t)} y2={sy(t)} stroke="#e3e3e3" />
            <text x={M.left - 6} y={sy(t) + 4} textAnchor="end">
              {fmtY(t)}
            </text>
          </g>
        ))}
        {xt.ticks.map((t) => (
          <g key={t}>
            <line
              x1={sx(t)}
              x2={sx(t)}
              y1={height - M.bottom}
              y2={height - M.bottom + 4}
              stroke="#555"
            />
            <text x={sx(t)} y={height - M.bottom + 16} textAnchor="middle">
              {props.formatX(t)}
            </text>
          </g>
        ))}
        <line
          x1={M.left}
          x2={width - M.right}
          y1={height - M.bottom}
          y2={height - M.bottom}
          stroke="#555"
        />
        <line x1={M.left} x2={M.left} y1={M.top} y2={height - M.bottom} stroke="#555" />
        <text x={(M.left + width - M.right) / 2} y={height - 6} textAnchor="middle" fontSize={12}>
          {props.xLabel}
        </text>
        <text
          transform={`translate(14 ${(M.top + height - M.bottom) / 2}) rotate(-90)`}
          textAnchor="middle"
          fontSize={12}
        >
          {props.yLabel}
        </text>
      </g>
      {refs.map((r) => (
        <line
          key={r.name}
          className="chart-ref"
          x1={M.left}
          x2={width - M.right}
          y1={sy(r.value)}
          y2={sy(r.value)}
          stroke={r.color}
          strokeWidth={2}
          strokeDasharray="5 3"
        />
      ))}
      {props.series.map((s) => {
        const pts = props.xs.map((x, i) => {
          const v = s.values[i] ?? null;
          return { x: sx(x), y: v === null ? null : sy(v) };
        });
        return (
          <g key={s.name} className="chart-series" data-series={s.name}>
            <path
              d={linePath(pts)}
              fill="none"
              stroke={s.color}
              strokeWidth={2}
              strokeDasharray={s.dashed ? '5 3' : undefined}
            />
            {dots &&
              pts.map((p, i) =>
                p.y === null ? null : <circle key={i} cx={p.x} cy={p.y} r={2.5} fill={s.color} />,
              )}
          </g>
        );
      })}
    </ChartFrame>
  );
}
