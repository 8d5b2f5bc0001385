import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { contrastRatio } from "./contrast";

/** The value of a custom property declared in index.css's :root. */
function token(name: string): string {
  const css = readFileSync(new URL("../index.css", import.meta.url), "utf8");
  const value = new RegExp(`${name}:\\s*(#[0-9a-fA-F]{6})`).exec(css)?.[1];
  if (!value) throw new Error(`${name} is not a #rrggbb token in index.css`);
  return value;
}

describe("contrastRatio", () => {
  it("is 21 for black on white, 1 for a colour on itself, either order", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#ffffff", "#000000")).toBeCloseTo(21, 5);
    expect(contrastRatio("#4f8cff", "#4f8cff")).toBe(1);
  });

  it("says why the old primary fill failed: white on #4f8cff is 3.22:1", () => {
    expect(contrastRatio("#ffffff", "#4f8cff")).toBeCloseTo(3.22, 2);
  });
});

describe("the colour tokens (index.css)", () => {
  it("give primary buttons' white text at least 4.5:1 on their fill", () => {
    expect(contrastRatio("#ffffff", token("--accent-strong"))).toBeGreaterThanOrEqual(4.5);
  });

  it("keep text, muted text and links at least 4.5:1 on the page and its surfaces", () => {
    for (const background of ["--bg", "--surface", "--surface-2"]) {
      for (const text of ["--text", "--muted", "--accent", "--up", "--down"]) {
        expect(contrastRatio(token(text), token(background)), `${text} on ${background}`).toBeGreaterThanOrEqual(4.5);
      }
    }
  });
});
