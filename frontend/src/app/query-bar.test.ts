import { describe, expect, it } from "vitest";
import { windowDate } from "./QueryBar";

describe("the replay's window dates", () => {
  it("takes 24-hour ISO UTC as shown, with a space or a T, and puts the ISO form in the URL", () => {
    expect(windowDate("2024-03-01 13:05")).toBe("2024-03-01T13:05");
    expect(windowDate("2024-03-01T13:05")).toBe("2024-03-01T13:05");
    expect(windowDate("2024-03-01")).toBe("2024-03-01");
    expect(windowDate("  ")).toBe("");
  });

  it("refuses a locale's date instead of guessing", () => {
    expect(windowDate("03/01/2024, 1:05 PM")).toBeNull();
    expect(windowDate("tomorrow")).toBeNull();
  });
});
