import type { Trial } from "../api/types";
import { extentOf, scatterPoints, toPixel } from "../model/study-view";

const WIDTH = 320;
const HEIGHT = 200;
const PAD = 48; // px for the axes' numbers

/** One parameter against one KPI, a dot per trial (the best trial ringed). */
export function Scatter({ trials, param, kpi, best }: { trials: Trial[]; param: string; kpi: string; best: number | null }) {
  const points = scatterPoints(trials, param, kpi);
  const xs = extentOf(points.map((p) => p.x));
  const ys = extentOf(points.map((p) => p.y));
  const x = (v: number) => PAD + toPixel(v, xs, WIDTH - PAD - 8);
  const y = (v: number) => 8 + toPixel(v, ys, HEIGHT - PAD - 8, true);
  return (
    <figure className="opt-scatter" data-testid={`scatter-${param}`} data-points={points.length}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${kpi} against ${param}`}>
        <line x1={PAD} y1={HEIGHT - PAD} x2={WIDTH - 8} y2={HEIGHT - PAD} className="opt-axis" />
        <line x1={PAD} y1={8} x2={PAD} y2={HEIGHT - PAD} className="opt-axis" />
        <text x={PAD} y={HEIGHT - PAD + 14} className="opt-tick">{xs.min}</text>
        <text x={WIDTH - 8} y={HEIGHT - PAD + 14} textAnchor="end" className="opt-tick">{xs.max}</text>
        <text x={PAD - 4} y={HEIGHT - PAD} textAnchor="end" className="opt-tick">{ys.min.toFixed(2)}</text>
        <text x={PAD - 4} y={14} textAnchor="end" className="opt-tick">{ys.max.toFixed(2)}</text>
        {points.map((p) => (
          <circle key={p.number} cx={x(p.x)} cy={y(p.y)} r={p.number === best ? 5 : 3} className={p.number === best ? "opt-dot opt-dot--best" : "opt-dot"}>
            <title>{`trial ${p.number}: ${param} ${p.x}, ${kpi} ${p.y.toFixed(3)}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption className="muted small">
        {kpi} against {param}
      </figcaption>
    </figure>
  );
}
