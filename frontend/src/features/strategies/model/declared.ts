// What a strategy's text declares: its parameters (`param fast = 12 in 5..50`) and its variables
// (`trend = tf("4h", hma(close, 200))`), for completion. Read from the tokens, so it works on text
// that does not validate yet.
import { tokenizeLine, type Token, type Vocabulary, DEFAULT_VOCABULARY } from "./tokenizer";

export interface DeclaredParam {
  name: string;
  /** Line (1-based) of the declaration. */
  line: number;
  /** The default as written (`12`), or "". */
  value: string;
  /** The range as written (`5..50`), or "". */
  range: string;
}

export interface DeclaredVariable {
  name: string;
  line: number;
  /** The function the value is a call of (`m = macd(close, 12, 26, 9)` -> "macd"), or null. */
  callee: string | null;
}

export interface Declarations {
  params: DeclaredParam[];
  variables: DeclaredVariable[];
  /** Outputs the text assigns (`long_setup = ...`): another statement may read them. */
  signals: { name: string; line: number }[];
}

/** The statements of one line's tokens (split at `;`), comments dropped. */
export function statementsOf(tokens: readonly Token[]): Token[][] {
  const statements: Token[][] = [[]];
  for (const token of tokens) {
    if (token.kind === "comment") continue;
    if (token.kind === "semicolon") statements.push([]);
    else statements[statements.length - 1]!.push(token);
  }
  return statements.filter((s) => s.length > 0);
}

/** The index of the ")" closing the "(" at `open`, or -1. */
export function closingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const text = tokens[i]!.text;
    if (text === "(") depth += 1;
    else if (text === ")" && --depth === 0) return i;
  }
  return -1;
}

const joined = (tokens: readonly Token[]) => tokens.map((t) => t.text).join("");

/** Params and variables declared in `text`, in order; a name declared twice counts once (the first). */
export function declarationsOf(text: string, vocabulary: Vocabulary = DEFAULT_VOCABULARY): Declarations {
  const params: DeclaredParam[] = [];
  const variables: DeclaredVariable[] = [];
  const signals: { name: string; line: number }[] = [];
  const seen = new Set<string>();
  text.split("\n").forEach((lineText, index) => {
    for (const statement of statementsOf(tokenizeLine(lineText, vocabulary))) {
      const [first, second, third, fourth] = statement;
      if (first?.kind === "keyword" && first.text === "param" && second?.kind === "definition") {
        if (seen.has(second.text)) continue;
        seen.add(second.text);
        const inAt = statement.findIndex((t) => t.kind === "keyword" && t.text === "in");
        const valueTokens = statement.slice(3, inAt === -1 ? undefined : inAt);
        params.push({
          name: second.text,
          line: index + 1,
          value: third?.text === "=" ? joined(valueTokens) : "",
          range: inAt === -1 ? "" : joined(statement.slice(inAt + 1)),
        });
      } else if (first?.kind === "definition" && second?.text === "=") {
        if (seen.has(first.text)) continue;
        seen.add(first.text);
        // `m = macd(...)` holds macd's outputs; `m = macd(...).hist` or `macd(...) * 2` does not.
        const isCall = (third?.kind === "function" || third?.kind === "call") && fourth?.text === "(";
        const wholeCall = isCall && closingParen(statement, 3) === statement.length - 1;
        variables.push({ name: first.text, line: index + 1, callee: wholeCall ? third!.text : null });
      } else if (first?.kind === "output" && second?.text === "=" && !seen.has(first.text)) {
        seen.add(first.text);
        signals.push({ name: first.text, line: index + 1 });
      }
    }
  });
  return { params, variables, signals };
}
