// Where a marker's tooltip goes: right of and below the mouse, or left of it in the chart's
// right half (so that it is not cut off by the chart's edge).
export const TOOLTIP_OFFSET = 14; // px from the mouse

export function tooltipPosition(x: number, y: number, chartWidth: number): { left?: number; right?: number; top: number } {
  if (x > chartWidth / 2) return { right: chartWidth - x + TOOLTIP_OFFSET, top: y + TOOLTIP_OFFSET };
  return { left: x + TOOLTIP_OFFSET, top: y + TOOLTIP_OFFSET };
}
