import { describe, expect, it } from "vitest";
import { EXAMPLE, LANGUAGE } from "./fixtures";
import { readToken, tokenizeLine, vocabularyOf } from "./tokenizer";

const vocabulary = vocabularyOf(LANGUAGE);
const kinds = (line: string) => tokenizeLine(line, vocabulary).map((t) => [t.text, t.kind]);

describe("the tokenizer", () => {
  it("reads a param declaration: keyword, the name defined, the default, the range", () => {
    expect(kinds("param fast = 12 in 5..50")).toEqual([
      ["param", "keyword"],
      ["fast", "definition"],
      ["=", "operator"],
      ["12", "number"],
      ["in", "keyword"],
      ["5", "number"],
      ["..", "operator"],
      ["50", "number"],
    ]);
  });

  it("tells outputs, variables, known functions, fields and comments apart", () => {
    expect(kinds('trend = tf("4h", hma(close, 200))   # the last CLOSED 4h value')).toEqual([
      ["trend", "definition"],
      ["=", "operator"],
      ["tf", "function"],
      ["(", "paren"],
      ['"4h"', "string"],
      [",", "comma"],
      ["hma", "function"],
      ["(", "paren"],
      ["close", "field"],
      [",", "comma"],
      ["200", "number"],
      [")", "paren"],
      [")", "paren"],
      ["# the last CLOSED 4h value", "comment"],
    ]);
    expect(kinds("long_entry = x and not close > trend")).toEqual([
      ["long_entry", "output"],
      ["=", "operator"],
      ["x", "identifier"],
      ["and", "logic"],
      ["not", "logic"],
      ["close", "field"],
      [">", "operator"],
      ["trend", "identifier"],
    ]);
  });

  it("reads numbers, percents, comparison operators and decimals", () => {
    expect(kinds("stop_loss = 2.5%")).toEqual([
      ["stop_loss", "output"],
      ["=", "operator"],
      ["2.5%", "percent"],
    ]);
    expect(kinds("a = b <= 1 == true != false >= 2.25").map(([, kind]) => kind)).toEqual([
      "definition", "operator", "identifier", "operator", "number", "operator", "bool", "operator", "bool", "operator", "number",
    ]);
  });

  it("marks unknown calls, properties after '.', statements after ';' and stray characters", () => {
    expect(kinds("m = macd(close, 12, 26, 9).hist; x = 1 @")).toEqual([
      ["m", "definition"],
      ["=", "operator"],
      ["macd", "function"],
      ["(", "paren"],
      ["close", "field"],
      [",", "comma"],
      ["12", "number"],
      [",", "comma"],
      ["26", "number"],
      [",", "comma"],
      ["9", "number"],
      [")", "paren"],
      [".", "dot"],
      ["hist", "property"],
      [";", "semicolon"],
      ["x", "definition"],
      ["=", "operator"],
      ["1", "number"],
      ["@", "invalid"],
    ]);
    expect(kinds("long_entry = foo(close)")[2]).toEqual(["foo", "call"]);
  });

  it("runs an unterminated string to the end of the line, and a name compared with == is not defined", () => {
    expect(kinds('timeframe = "5m')).toEqual([
      ["timeframe", "output"],
      ["=", "operator"],
      ['"5m', "string"],
    ]);
    expect(kinds("x == 1")[0]).toEqual(["x", "identifier"]);
  });

  it("without the language's answer, every call but tf() is unknown; fields and outputs are known", () => {
    expect(tokenizeLine("long_entry = rsi(close, 14) < 30").map((t) => t.kind).slice(0, 4)).toEqual(["output", "operator", "call", "paren"]);
    expect(tokenizeLine('t = tf("4h", close)').map((t) => t.kind).slice(0, 3)).toEqual(["definition", "operator", "function"]);
  });

  it("gives offsets that cover the line exactly, token by token (spaces between)", () => {
    for (const line of EXAMPLE.split("\n")) {
      const tokens = tokenizeLine(line, vocabulary);
      const rebuilt = tokens.reduce((text, t) => text + " ".repeat(t.from - text.length) + t.text, "");
      expect(rebuilt).toBe(line.trimEnd());
      expect(tokens.some((t) => t.kind === "invalid")).toBe(false);
    }
  });

  it("reads from a position with what came before it", () => {
    expect(readToken("  fast = 1", 0, { kind: "keyword", from: 0, to: 5, text: "param" }, vocabulary)).toEqual({ kind: "definition", from: 2, to: 6, text: "fast" });
    expect(readToken("   ", 0, null, vocabulary)).toBeNull();
  });
});
