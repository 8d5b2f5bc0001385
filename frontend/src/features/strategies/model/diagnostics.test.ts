import { Text } from "@codemirror/state";
import { describe, expect, it } from "vitest";
import { describeError, errorRange, lineIndexOf, lineNumberAt, offsetOf, sourceErrorsOf, toDiagnostics } from "./diagnostics";

const SOURCE = 'timeframe = "5m"\nlong_entry = rsi(14) < 30\n\nstop_loss = 2%';

describe("error positions", () => {
  it("map 1-based line/column to document offsets, end exclusive", () => {
    const doc = lineIndexOf(SOURCE);
    expect(doc.lines).toBe(4);
    expect(offsetOf(doc, 1, 1)).toBe(0);
    expect(offsetOf(doc, 2, 14)).toBe(SOURCE.indexOf("rsi"));
    const range = errorRange(doc, { line: 2, column: 14, end_line: 2, end_column: 21, message: "" });
    expect(SOURCE.slice(range.from, range.to)).toBe("rsi(14)");
  });

  it("agree with CodeMirror's own document", () => {
    const text = Text.of(SOURCE.split("\n"));
    const error = { line: 4, column: 13, end_line: 4, end_column: 15, message: "bad stop" };
    expect(errorRange(text, error)).toEqual(errorRange(lineIndexOf(SOURCE), error));
    expect(text.sliceString(errorRange(text, error).from, errorRange(text, error).to)).toBe("2%");
  });

  it("clamp positions outside the text, and never give an empty range on a line with text", () => {
    const doc = lineIndexOf(SOURCE);
    // Past the end of line 1: the line's last character.
    expect(errorRange(doc, { line: 1, column: 40, end_line: 1, end_column: 41, message: "" })).toEqual({ from: 15, to: 16 });
    // A zero-width error: the character after it.
    const zero = errorRange(doc, { line: 2, column: 14, end_line: 2, end_column: 14, message: "" });
    expect(SOURCE.slice(zero.from, zero.to)).toBe("r");
    // No end given: one character.
    expect(errorRange(doc, { line: 2, column: 1, message: "" })).toEqual({ from: 17, to: 18 });
    // Past the last line: the end of the document.
    const end = errorRange(doc, { line: 9, column: 1, end_line: 9, end_column: 2, message: "" });
    expect(SOURCE.slice(end.from, end.to)).toBe("%");
    // An empty line stays a point.
    const blank = SOURCE.indexOf("\n\n") + 1;
    expect(errorRange(doc, { line: 3, column: 1, end_line: 3, end_column: 1, message: "" })).toEqual({ from: blank, to: blank });
    // Nonsense in: the start.
    expect(offsetOf(doc, Number.NaN, 3)).toBe(0);
    expect(offsetOf(doc, 0, 0)).toBe(0);
  });

  it("span lines when the error does", () => {
    const doc = lineIndexOf(SOURCE);
    const range = errorRange(doc, { line: 1, column: 13, end_line: 2, end_column: 11, message: "" });
    expect(SOURCE.slice(range.from, range.to)).toBe('"5m"\nlong_entry');
  });

  it("find the line of an offset", () => {
    const doc = lineIndexOf(SOURCE);
    expect([0, 16, 17, 42, 43, SOURCE.length].map((o) => lineNumberAt(doc, o))).toEqual([1, 1, 2, 2, 3, 4]);
  });

  it("become diagnostics with the API's messages", () => {
    const diagnostics = toDiagnostics(lineIndexOf(SOURCE), [{ line: 2, column: 14, end_line: 2, end_column: 17, message: "rsi() takes a series and a period" }]);
    expect(diagnostics).toEqual([{ from: 30, to: 33, severity: "error", message: "rsi() takes a series and a period" }]);
  });
});

describe("the 400 on a source", () => {
  it("reads the positioned errors", () => {
    const body = {
      source: ["line 3, column 9: rsi() takes a series and a period; got a number"],
      errors: [{ line: 3, column: 9, end_line: 3, end_column: 14, message: "rsi() takes a series and a period; got a number" }],
    };
    expect(sourceErrorsOf(body)).toEqual(body.errors);
    expect(describeError(body.errors[0]!)).toBe(body.source[0]);
  });

  it("falls back to the messages in `source`, with or without a position", () => {
    expect(sourceErrorsOf({ source: ["line 2, column 5: unknown name 'x'", "the strategy has no entry"] })).toEqual([
      { line: 2, column: 5, end_line: 2, end_column: 6, message: "unknown name 'x'" },
      { line: 1, column: 1, end_line: 1, end_column: 1, message: "the strategy has no entry" },
    ]);
    expect(sourceErrorsOf({ source: "too long" })).toHaveLength(1);
    expect(sourceErrorsOf(null)).toEqual([]);
    expect(sourceErrorsOf({ errors: [{ nope: 1 }] })).toEqual([]);
  });
});
