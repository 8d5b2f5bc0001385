import { describe, expect, it } from "vitest";
import { TOOLTIP_OFFSET, tooltipPosition } from "./tooltip";

describe("tooltipPosition", () => {
  it("sits right of the mouse in the chart's left half", () => {
    expect(tooltipPosition(100, 50, 800)).toEqual({ left: 100 + TOOLTIP_OFFSET, top: 50 + TOOLTIP_OFFSET });
  });

  it("sits left of the mouse in the right half, anchored by its right edge", () => {
    expect(tooltipPosition(700, 50, 800)).toEqual({ right: 100 + TOOLTIP_OFFSET, top: 50 + TOOLTIP_OFFSET });
  });
});
