import { describe, expect, it } from "vitest";
import { completeAt } from "./completion";
import { declarationsOf } from "./declared";
import { EXAMPLE, LANGUAGE } from "./fixtures";
import { vocabularyOf } from "./tokenizer";

/** Completions at the "|" in `text`. */
function at(text: string, explicit = false) {
  const pos = text.indexOf("|");
  const doc = text.slice(0, pos) + text.slice(pos + 1);
  const answer = completeAt(doc, pos, LANGUAGE, explicit);
  return answer && { from: answer.from, pos, labels: answer.options.map((o) => o.label), options: answer.options };
}

describe("completion", () => {
  it("offers functions with their signatures, fields, declared params and variables in an expression", () => {
    const answer = at(`${EXAMPLE}short_entry = crosses_below(close, e|`)!;
    expect(answer.from).toBe(answer.pos - 1);
    expect(answer.labels).toEqual(expect.arrayContaining(["ema", "macd", "close", "volume", "fast", "slow", "trend", "and"]));
    const ema = answer.options.find((o) => o.label === "ema")!;
    expect(ema).toMatchObject({ type: "function", detail: "ema(series, period)", info: "Exponential moving average.", apply: "ema(" });
    expect(answer.options.find((o) => o.label === "macd")!.info).toContain(".hist");
    expect(answer.options.find((o) => o.label === "fast")).toMatchObject({ type: "variable", detail: "param = 12 in 5..50" });
    expect(answer.options.find((o) => o.label === "close")).toMatchObject({ detail: "candle field" });
    // Outputs not set and `param` are statements, not values; a signal set above can be read.
    expect(answer.labels).not.toContain("short_setup");
    expect(answer.labels).not.toContain("param");
    expect(answer.options.find((o) => o.label === "long_entry")).toMatchObject({ detail: "signal set above" });
  });

  it("offers a signal set above as a value (not a setting)", () => {
    const labels = at("long_setup = close > open\nstop_loss = 2%\nlong_exit = not l|")!.labels;
    expect(labels).toContain("long_setup");
    expect(labels).not.toContain("stop_loss");
  });

  it("offers the outputs, the settings and `param` at the start of a statement", () => {
    expect(at("|", true)!.labels).toEqual(expect.arrayContaining(["timeframe", "stop_loss", "take_profit", "short_setup", "param"]));
    const answer = at("timeframe = \"5m\"\nlo|")!;
    expect(answer.from).toBe(answer.pos - 2);
    expect(answer.labels).toEqual(expect.arrayContaining(["long_entry", "long_exit", "stop_loss", "param"]));
    expect(answer.options.find((o) => o.label === "long_entry")!.apply).toBe("long_entry = ");
    expect(answer.labels).not.toContain("ema");
    expect(at("x = 1; |", true)!.labels).toContain("short_entry");
  });

  it("offers a multi-output function's outputs after '.', on the call or on a variable holding it", () => {
    expect(at("long_entry = macd(close, 12, 26, 9).|")!.labels).toEqual(["line", "signal", "hist"]);
    expect(at("long_entry = macd(close, ema(close, 3), 26, 9).h|")).toMatchObject({ labels: ["line", "signal", "hist"] });
    expect(at("m = macd(close, 12, 26, 9)\nlong_entry = m.|")!.labels).toEqual(["line", "signal", "hist"]);
    // A single-output function, or a variable that is not a whole call, has none.
    expect(at("long_entry = ema(close, 12).|")).toBeNull();
    expect(at("m = macd(close, 12, 26, 9).hist\nlong_entry = m.|")).toBeNull();
  });

  it("offers timeframes inside a string", () => {
    const answer = at('trend = tf("4|')!;
    expect(answer.labels).toEqual(LANGUAGE.timeframes);
    expect(answer.from).toBe(answer.pos - 1);
    expect(at('timeframe = "|')!.labels).toContain("5m");
  });

  it("stays quiet in comments, after a closed string, when naming a param, after a number and on nothing typed", () => {
    expect(at("# long_en|")).toBeNull();
    expect(at('timeframe = "5m"|')).toBeNull();
    expect(at("param fa|")).toBeNull();
    expect(at("param fast = 12 in 5..5|")).toBeNull();
    expect(at("long_entry = close > |")).toBeNull();
    expect(at("long_entry = close > |", true)!.labels).toContain("ema");
  });

  it("works before the language answered: fields and outputs, no functions", () => {
    const pos = "long_entry = cl".length;
    const answer = completeAt("long_entry = cl", pos, null, false)!;
    expect(answer.options.map((o) => o.label)).toContain("close");
    // tf() is the language's own, listed or not.
    expect(answer.options.filter((o) => o.type === "function").map((o) => o.label)).toEqual(["tf"]);
    const listed = completeAt("long_entry = t", 14, LANGUAGE, false)!;
    expect(listed.options.filter((o) => o.label === "tf")).toHaveLength(1);
  });
});

describe("declarations", () => {
  it("lists the params with default and range, and the variables with the call they hold", () => {
    const declared = declarationsOf(`${EXAMPLE}m = macd(close, 12, 26, 9); k = rsi(close, 14) * 2`, vocabularyOf(LANGUAGE));
    expect(declared.params).toEqual([
      { name: "fast", line: 3, value: "12", range: "5..50" },
      { name: "slow", line: 4, value: "26", range: "10..200" },
    ]);
    expect(declared.variables).toEqual([
      { name: "trend", line: 5, callee: "tf" },
      { name: "m", line: 10, callee: "macd" },
      { name: "k", line: 10, callee: null },
    ]);
    expect(declared.signals.map((s) => s.name)).toEqual(["timeframe", "long_entry", "long_exit", "stop_loss", "take_profit"]);
  });
});
