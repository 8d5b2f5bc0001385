// The strategy language for CodeMirror: a StreamLanguage over the pure tokenizer (model/tokenizer.ts)
// and the colours of its tokens.
import { HighlightStyle, LanguageSupport, StreamLanguage, syntaxHighlighting, type StreamParser } from "@codemirror/language";
import { tags } from "@lezer/highlight";
import { readToken, type Token, type TokenKind, type Vocabulary } from "../model/tokenizer";

/** Each token kind as a highlighting tag name (@lezer/highlight's `tags`, "modifier" after a dot). */
export const TOKEN_TAGS: Record<TokenKind, string | null> = {
  comment: "comment",
  keyword: "keyword",
  logic: "operatorKeyword",
  bool: "bool",
  number: "number",
  percent: "unit",
  string: "string",
  function: "variableName.function",
  call: "variableName",
  field: "variableName.special",
  output: "variableName.standard",
  definition: "variableName.definition",
  property: "propertyName",
  identifier: "variableName",
  operator: "operator",
  dot: "punctuation",
  paren: "paren",
  comma: "punctuation",
  semicolon: "punctuation",
  invalid: "invalid",
};

interface LineState {
  /** The line's last token so far (null at the start of a line). */
  previous: Token | null;
}

export function streamParser(vocabulary: Vocabulary): StreamParser<LineState> {
  return {
    name: "strategy",
    startState: () => ({ previous: null }),
    copyState: (state) => ({ previous: state.previous }),
    token(stream, state) {
      if (stream.sol()) state.previous = null;
      if (stream.eatSpace()) return null;
      const token = readToken(stream.string, stream.pos, state.previous, vocabulary);
      if (!token) {
        stream.skipToEnd();
        return null;
      }
      stream.pos = token.to;
      if (token.kind !== "comment") state.previous = token;
      return TOKEN_TAGS[token.kind];
    },
    // Statements are never nested: a new line starts at the margin.
    indent: () => 0,
    languageData: { commentTokens: { line: "#" } },
  };
}

export function strategyLanguage(vocabulary: Vocabulary): LanguageSupport {
  return new LanguageSupport(StreamLanguage.define(streamParser(vocabulary)));
}

/** Colours on the app's dark surface (index.css). */
export const strategyHighlightStyle = HighlightStyle.define([
  { tag: tags.comment, color: "#8592aa", fontStyle: "italic" }, // 5.6:1 on the editor (WCAG AA)
  { tag: [tags.keyword, tags.operatorKeyword], color: "#c792ea", fontWeight: "600" },
  { tag: [tags.bool, tags.number, tags.unit], color: "#f78c6c" },
  { tag: tags.string, color: "#c3e88d" },
  { tag: tags.function(tags.variableName), color: "#82aaff" },
  { tag: tags.special(tags.variableName), color: "#89ddff" },
  { tag: tags.standard(tags.variableName), color: "#ffcb6b", fontWeight: "600" },
  { tag: tags.definition(tags.variableName), color: "#f5c542" },
  { tag: tags.propertyName, color: "#89ddff", fontStyle: "italic" },
  { tag: tags.operator, color: "#b0bdd6" },
  { tag: tags.invalid, color: "#ff6b6b", textDecoration: "underline wavy" },
]);

export const strategyHighlighting = syntaxHighlighting(strategyHighlightStyle);
