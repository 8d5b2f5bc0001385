import { describe, expect, it } from "vitest";
import { messageObject, pageWithItem } from "./realtime-messages";

describe("realtime messages", () => {
  it("reads a JSON object frame and nothing else", () => {
    expect(messageObject('{"type":"ready"}')).toEqual({ type: "ready" });
    for (const bad of ["{not json", "null", "42", '"text"', 7, undefined]) expect(messageObject(bad)).toBeNull();
  });

  it("replaces an item of a page by id, leaving the page itself untouched", () => {
    const page = { count: 2, results: [{ id: 1, v: "a" }, { id: 2, v: "b" }] };
    expect(pageWithItem(page, { id: 2, v: "c" })?.results).toEqual([{ id: 1, v: "a" }, { id: 2, v: "c" }]);
    expect(page.results[1]?.v).toBe("b");
    expect(pageWithItem(page, { id: 9, v: "x" })).toBeNull();
    expect(pageWithItem(undefined, { id: 1, v: "x" })).toBeNull();
  });
});
