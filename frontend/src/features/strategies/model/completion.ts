// What to offer at the cursor: function names with their signatures, candle fields, the params and
// variables the text declares, keywords, the output names at the start of a statement, the outputs
// of a multi-output function after "." (`macd(close, 12, 26, 9).hist`), timeframes inside a string.
// Pure: the editor (editor/completion.ts) turns the answer into CodeMirror's.
import type { LanguageSpec } from "../api/types";
import { declarationsOf } from "./declared";
import { atStatementStart, DEFAULT_FIELDS, reservedNames, TF_FUNCTION, tokenizeLine, vocabularyOf, type Token } from "./tokenizer";

export type CompletionKind = "function" | "variable" | "keyword" | "property" | "constant";

export interface CompletionItem {
  label: string;
  type: CompletionKind;
  /** Shown next to the label: a function's signature, "candle field", a param's range. */
  detail?: string;
  /** Shown beside the list for the selected item. */
  info?: string;
  /** The text inserted, when not the label (a function gets its "("). */
  apply?: string;
  /** Sort hint: higher comes first. */
  boost?: number;
}

export interface CompletionAnswer {
  /** Document offset the completion replaces from (the start of the word typed). */
  from: number;
  options: CompletionItem[];
  /** The answer stays valid while the typed text matches this. */
  validFor: RegExp;
}

/** Reserved names that are not signals: nothing reads them in an expression. */
const SETTINGS = ["timeframe", "stop_loss", "take_profit"];

const WORD = /[A-Za-z_][A-Za-z0-9_]*$/;
const VALID_WORD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VALID_TIMEFRAME = /^[0-9A-Za-z]*$/;

const OUTPUT_DETAIL: Record<string, string> = {
  timeframe: 'the base timeframe, e.g. "5m"',
  long_entry: "condition: enter long",
  long_exit: "condition: leave a long",
  short_entry: "condition: enter short",
  short_exit: "condition: leave a short",
  long_setup: "condition: long setup active",
  short_setup: "condition: short setup active",
  stop_loss: "e.g. 2%",
  take_profit: "e.g. 4%",
};

/** The function called by the `(`...`)` group that ends just before `end` in `tokens`, or null. */
function calleeBefore(tokens: readonly Token[], end: number): string | null {
  let depth = 0;
  for (let i = end - 1; i >= 0; i--) {
    const text = tokens[i]!.text;
    if (text === ")") depth += 1;
    else if (text === "(" && --depth === 0) {
      const name = tokens[i - 1];
      return name && (name.kind === "function" || name.kind === "call") ? name.text : null;
    }
  }
  return null;
}

/**
 * Completions at `pos` of `doc`, or null for none. `explicit` is true when the user asked
 * (Ctrl-Space): then an empty word gets the whole list too.
 */
export function completeAt(doc: string, pos: number, language: LanguageSpec | null, explicit: boolean): CompletionAnswer | null {
  const lineStart = doc.lastIndexOf("\n", pos - 1) + 1;
  const before = doc.slice(lineStart, pos);
  const vocabulary = vocabularyOf(language);
  const tokens = tokenizeLine(before, vocabulary);
  const last = tokens[tokens.length - 1];

  if (last?.kind === "comment") return null;
  // Inside a string (it has no closing quote yet): the timeframes.
  if (last?.kind === "string" && (last.text.length === 1 || !last.text.endsWith('"'))) {
    if (!language || language.timeframes.length === 0) return null;
    return {
      from: lineStart + last.from + 1,
      options: language.timeframes.map((tf) => ({ label: tf, type: "constant", detail: "timeframe" })),
      validFor: VALID_TIMEFRAME,
    };
  }

  const word = WORD.exec(before)?.[0] ?? "";
  const wordFrom = before.length - word.length;
  const previousIndex = tokens.findLastIndex((t) => t.to <= wordFrom);
  const previous = previousIndex === -1 ? null : tokens[previousIndex]!;
  const from = lineStart + wordFrom;

  // After ".": the outputs of the multi-output function called just before, or held by a variable.
  if (previous?.kind === "dot") {
    const target = tokens[previousIndex - 1];
    let callee: string | null = null;
    if (target?.text === ")") callee = calleeBefore(tokens, previousIndex);
    else if (target && (target.kind === "identifier" || target.kind === "definition")) {
      callee = declarationsOf(doc, vocabulary).variables.find((v) => v.name === target.text)?.callee ?? null;
    }
    const fn = language?.functions.find((f) => f.name === callee);
    if (!fn || fn.outputs.length === 0) return null;
    return {
      from,
      options: fn.outputs.map((output) => ({ label: output, type: "property", detail: `${fn.name}() output` })),
      validFor: VALID_WORD,
    };
  }

  if (!word && !explicit) return null;
  // Naming a new param, or typing its range: nothing to offer.
  if (previous?.kind === "keyword") return null;
  if (previous?.kind === "number" || previous?.kind === "percent" || previous?.kind === "string") return null;

  const declared = declarationsOf(doc, vocabulary);
  const currentLine = doc.slice(0, lineStart).split("\n").length;

  if (atStatementStart(previous)) {
    const outputs = reservedNames(language);
    return {
      from,
      options: [
        ...outputs.map((name): CompletionItem => ({ label: name, type: "keyword", detail: OUTPUT_DETAIL[name] ?? "output", apply: `${name} = `, boost: 2 })),
        { label: "param", type: "keyword", detail: "param name = default in min..max", apply: "param ", boost: 1 },
        ...declared.variables
          .filter((v) => v.line !== currentLine)
          .map((v): CompletionItem => ({ label: v.name, type: "variable", detail: "variable" })),
      ],
      validFor: VALID_WORD,
    };
  }

  const options: CompletionItem[] = [];
  const functions = language?.functions ?? [];
  for (const fn of functions.some((f) => f.name === TF_FUNCTION.name) ? functions : [TF_FUNCTION, ...functions]) {
    options.push({
      label: fn.name,
      type: "function",
      detail: fn.signature,
      info: fn.outputs.length ? `${fn.description} Outputs: ${fn.outputs.map((o) => `.${o}`).join(", ")}.` : fn.description,
      apply: `${fn.name}(`,
    });
  }
  for (const field of language?.fields.length ? language.fields : DEFAULT_FIELDS) {
    options.push({ label: field, type: "variable", detail: "candle field", boost: 1 });
  }
  for (const param of declared.params) {
    const detail = [param.value && `= ${param.value}`, param.range && `in ${param.range}`].filter(Boolean).join(" ");
    options.push({ label: param.name, type: "variable", detail: `param ${detail}`.trim(), boost: 2 });
  }
  for (const variable of declared.variables) {
    if (variable.line === currentLine) continue;
    options.push({ label: variable.name, type: "variable", detail: variable.callee ? `${variable.callee}(…)` : "variable", boost: 2 });
  }
  // A signal the text sets can be read by another (`long_exit = short_setup`).
  const settings = new Set(language?.settings ?? SETTINGS);
  for (const signal of declared.signals) {
    if (signal.line === currentLine || settings.has(signal.name) || options.some((o) => o.label === signal.name)) continue;
    options.push({ label: signal.name, type: "variable", detail: "signal set above", boost: 1 });
  }
  for (const keyword of ["and", "or", "not", "true", "false"]) options.push({ label: keyword, type: "keyword" });
  return { from, options, validFor: VALID_WORD };
}
