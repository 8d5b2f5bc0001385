import { ensureSyntaxTree } from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import { highlightTree, tagHighlighter, tags } from "@lezer/highlight";
import { describe, expect, it } from "vitest";
import { EXAMPLE, LANGUAGE } from "../model/fixtures";
import { vocabularyOf } from "../model/tokenizer";
import { strategyLanguage } from "./language";

// Each tag the style colours, as a class name the test can read.
const classes = tagHighlighter([
  { tag: tags.comment, class: "comment" },
  { tag: tags.keyword, class: "keyword" },
  { tag: tags.operatorKeyword, class: "logic" },
  { tag: tags.number, class: "number" },
  { tag: tags.unit, class: "percent" },
  { tag: tags.string, class: "string" },
  { tag: tags.function(tags.variableName), class: "function" },
  { tag: tags.special(tags.variableName), class: "field" },
  { tag: tags.standard(tags.variableName), class: "output" },
  { tag: tags.definition(tags.variableName), class: "definition" },
  { tag: tags.variableName, class: "name" },
  { tag: tags.propertyName, class: "property" },
]);

/** [text, class] of every highlighted span of `source`. */
function highlighted(source: string): [string, string][] {
  const state = EditorState.create({ doc: source, extensions: strategyLanguage(vocabularyOf(LANGUAGE)) });
  const tree = ensureSyntaxTree(state, state.doc.length, 5000);
  if (!tree) throw new Error("no syntax tree");
  const spans: [string, string][] = [];
  highlightTree(tree, classes, (from, to, cls) => spans.push([source.slice(from, to), cls]));
  return spans;
}

describe("the editor's highlighter", () => {
  it("colours the example strategy by token kind", () => {
    const spans = highlighted(EXAMPLE);
    const classOf = (text: string) => spans.find(([t]) => t === text)?.[1];
    expect(classOf("# EMA cross with a 4h trend filter")).toBe("comment");
    expect(classOf("timeframe")).toBe("output");
    expect(classOf('"5m"')).toBe("string");
    expect(classOf("param")).toBe("keyword");
    expect(classOf("fast")).toBe("definition");
    expect(classOf("12")).toBe("number");
    expect(classOf("tf")).toBe("function");
    expect(classOf("crosses_above")).toBe("function");
    expect(classOf("close")).toBe("field");
    expect(classOf("and")).toBe("logic");
    expect(classOf("2%")).toBe("percent");
    expect(classOf("long_entry")).toBe("output");
  });

  it("tells a property after '.' and a plain name apart from a definition on the same line", () => {
    const spans = highlighted("x = macd(close, 12, 26, 9).hist > y");
    expect(spans).toEqual(
      expect.arrayContaining([
        ["x", "definition"],
        ["macd", "function"],
        ["hist", "property"],
        ["y", "name"],
      ]),
    );
  });
});
