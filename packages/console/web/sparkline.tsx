/**
 * An inline SVG sparkline of a per-second series (oldest first), scaled to its own maximum.
 * Decorative: the number beside it carries the value for assistive technology.
 */
import { sparkPoints } from './fleet-model.js';

export interface SparklineProps {
  values: readonly number[];
  width?: number;
  height?: number;
}

export function Sparkline({ values, width = 64, height = 18 }: SparklineProps) {
  const points = sparkPoints(values, width, height);
  return (
    <svg
      class="spark"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      aria-hidden="true"
      focusable="false"
    >
      <line class="spark-base" x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} />
      {points && <polyline class="spark-line" points={points} />}
    </svg>
  );
}
