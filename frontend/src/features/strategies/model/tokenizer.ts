// The strategy language's tokens, line by line (nothing in the language spans lines: comments end
// at the newline, strings are one line, statements end at a newline or `;`). Pure: the editor's
// highlighter (editor/language.ts), the completion source and the declared-names scan read it.

export type TokenKind =
  | "comment"
  | "keyword" // param in
  | "logic" // and or not
  | "bool" // true false
  | "number" // 12 2.5
  | "percent" // 2%
  | "string" // "4h" (an unterminated one runs to the end of the line)
  | "function" // a known function's name before "("
  | "call" // an unknown name before "(" (validation says what is wrong)
  | "field" // open high low close volume
  | "output" // a reserved output name at the start of a statement
  | "definition" // a name being defined: after `param`, or before `=` at the start of a statement
  | "property" // the name after "." (a multi-output function's output)
  | "identifier"
  | "operator" // + - * / < <= > >= == != = ..
  | "dot"
  | "paren" // ( )
  | "comma"
  | "semicolon"
  | "invalid";

export interface Token {
  kind: TokenKind;
  /** Offsets in the line (end exclusive). */
  from: number;
  to: number;
  text: string;
}

/** What the highlighter and completion know about the language (GET /api/strategies/language/). */
export interface Vocabulary {
  functions: ReadonlySet<string>;
  fields: ReadonlySet<string>;
  outputs: ReadonlySet<string>;
}

export const KEYWORDS = ["param", "in", "and", "or", "not", "true", "false"] as const;
export const DEFAULT_FIELDS = ["open", "high", "low", "close", "volume"] as const;
export const DEFAULT_OUTPUTS = [
  "timeframe",
  "long_entry",
  "long_exit",
  "short_entry",
  "short_exit",
  "long_setup",
  "short_setup",
  "stop_loss",
  "take_profit",
] as const;

/** `tf(timeframe, expression)` is part of the language itself, whatever the function list says. */
export const TF_FUNCTION = {
  name: "tf",
  signature: 'tf("timeframe", expression)',
  description: "The expression on another timeframe: its value at that timeframe's last closed candle.",
  outputs: [] as string[],
};

/** The vocabulary before GET language/ answers: fields and outputs are fixed, functions unknown. */
export const DEFAULT_VOCABULARY: Vocabulary = {
  functions: new Set([TF_FUNCTION.name]),
  fields: new Set(DEFAULT_FIELDS),
  outputs: new Set(DEFAULT_OUTPUTS),
};

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /\d+(?:\.\d+)?%?/y;
const SPACE = /[ \t\r]+/y;
const OPERATORS = ["..", "<=", ">=", "==", "!=", "<", ">", "=", "+", "-", "*", "/"] as const;

function matchAt(pattern: RegExp, text: string, pos: number): string | null {
  pattern.lastIndex = pos;
  const match = pattern.exec(text);
  return match ? match[0] : null;
}

/** The first character after `pos` that is not a space or tab, or "". */
function nextSignificant(text: string, pos: number): string {
  const space = matchAt(SPACE, text, pos);
  return text.charAt(pos + (space?.length ?? 0));
}

/** True when `=` starts at `pos` and is an assignment (not `==`). */
function assignmentAt(text: string, pos: number): boolean {
  const space = matchAt(SPACE, text, pos);
  const at = pos + (space?.length ?? 0);
  return text.charAt(at) === "=" && text.charAt(at + 1) !== "=";
}

/** A statement starts after the line's start or a `;`. */
export function atStatementStart(previous: Token | null): boolean {
  return previous === null || previous.kind === "semicolon";
}

function identifierKind(name: string, text: string, end: number, previous: Token | null, vocabulary: Vocabulary): TokenKind {
  switch (name) {
    case "param":
    case "in":
      return "keyword";
    case "and":
    case "or":
    case "not":
      return "logic";
    case "true":
    case "false":
      return "bool";
  }
  if (previous?.kind === "dot") return "property";
  if (previous?.kind === "keyword" && previous.text === "param") return "definition";
  if (nextSignificant(text, end) === "(") return vocabulary.functions.has(name) ? "function" : "call";
  if (atStatementStart(previous)) {
    if (vocabulary.outputs.has(name)) return "output";
    if (assignmentAt(text, end)) return "definition";
  }
  if (vocabulary.fields.has(name)) return "field";
  return "identifier";
}

/**
 * The token starting at `pos` in `line` (after any spaces), or null at the end of the line.
 * `previous` is the line's last token before it (null at the start of the line): it decides
 * whether a name is being defined, is an output, or is a property after ".".
 */
export function readToken(line: string, pos: number, previous: Token | null, vocabulary: Vocabulary): Token | null {
  const space = matchAt(SPACE, line, pos);
  const from = pos + (space?.length ?? 0);
  if (from >= line.length) return null;
  const char = line.charAt(from);
  const token = (kind: TokenKind, to: number): Token => ({ kind, from, to, text: line.slice(from, to) });

  if (char === "#") return token("comment", line.length);
  if (char === '"') {
    const close = line.indexOf('"', from + 1);
    return token("string", close === -1 ? line.length : close + 1);
  }
  const number = matchAt(NUMBER, line, from);
  if (number) return token(number.endsWith("%") ? "percent" : "number", from + number.length);
  const name = matchAt(IDENTIFIER, line, from);
  if (name) return token(identifierKind(name, line, from + name.length, previous, vocabulary), from + name.length);
  for (const operator of OPERATORS) {
    if (line.startsWith(operator, from)) return token("operator", from + operator.length);
  }
  if (char === ".") return token("dot", from + 1);
  if (char === "(" || char === ")") return token("paren", from + 1);
  if (char === ",") return token("comma", from + 1);
  if (char === ";") return token("semicolon", from + 1);
  return token("invalid", from + 1);
}

/** Every token of one line (no newline in it). */
export function tokenizeLine(line: string, vocabulary: Vocabulary = DEFAULT_VOCABULARY): Token[] {
  const tokens: Token[] = [];
  let previous: Token | null = null;
  let pos = 0;
  for (;;) {
    const token = readToken(line, pos, previous, vocabulary);
    if (!token) return tokens;
    tokens.push(token);
    previous = token;
    pos = token.to;
  }
}

/** The vocabulary of the language API's answer. */
export function vocabularyOf(
  language: { functions: { name: string }[]; fields: string[]; outputs: string[]; settings?: string[] } | null | undefined,
): Vocabulary {
  if (!language) return DEFAULT_VOCABULARY;
  return {
    functions: new Set([TF_FUNCTION.name, ...language.functions.map((f) => f.name)]),
    fields: new Set(language.fields.length ? language.fields : DEFAULT_FIELDS),
    outputs: new Set(reservedNames(language)),
  };
}

/** The names a statement may assign that are not variables: the signals and the settings. */
export function reservedNames(language: { outputs: string[]; settings?: string[] } | null | undefined): string[] {
  if (!language || language.outputs.length === 0) return [...DEFAULT_OUTPUTS];
  return [...new Set([...(language.settings ?? []), ...language.outputs])];
}
