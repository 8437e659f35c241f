import type { ReactNode } from 'react';
import { Legend, type LegendItem } from './Legend.js';

/**
 * The SVG every chart draws in: role="img" with the summary as its accessible name, a <title>,
 * and the legend along the top from `legendX`; `children` draw the axes and the data.
 */
export function ChartFrame(props: {
  /** The chart's title, and its summary (the accessible name). */
  chart: { title: string; summary: string };
  width: number;
  height: number;
  legend: readonly LegendItem[];
  legendX: number;
  children: ReactNode;
}) {
  return (
    <svg
      className="chart"
      role="img"
      aria-label={props.chart.summary}
      viewBox={`0 0 ${props.width} ${props.height}`}
      width="100%"
      style={{ maxWidth: props.width }}
    >
      <title>{props.chart.title}</title>
      <Legend items={props.legend} x={props.legendX} y={12} />
      {props.children}
    </svg>
  );
}
