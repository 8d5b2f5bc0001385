// CodeMirror's side of the editor: completion from model/completion.ts, errors from the validate
// endpoint as lint diagnostics (model/diagnostics.ts), the theme.
import type { CompletionSource } from "@codemirror/autocomplete";
import type { Diagnostic, LintSource } from "@codemirror/lint";
import { EditorView } from "@codemirror/view";
import type { ValidationOutcome } from "../api/strategies";
import type { LanguageSpec } from "../api/types";
import { completeAt } from "../model/completion";
import { toDiagnostics } from "../model/diagnostics";

export function completionSource(language: () => LanguageSpec | null): CompletionSource {
  return (context) => {
    const answer = completeAt(context.state.doc.toString(), context.pos, language(), context.explicit);
    if (!answer) return null;
    return {
      from: answer.from,
      validFor: answer.validFor,
      options: answer.options.map((option) => ({
        label: option.label,
        type: option.type,
        ...(option.detail ? { detail: option.detail } : {}),
        ...(option.info ? { info: option.info } : {}),
        ...(option.apply ? { apply: option.apply } : {}),
        ...(option.boost ? { boost: option.boost } : {}),
      })),
    };
  };
}

export type Validate = (source: string, signal: AbortSignal) => Promise<ValidationOutcome>;

/**
 * The lint source: the text to the validate endpoint (the linter waits for a pause in typing
 * first), its errors underlined where they are. A newer run aborts the request of the previous
 * one; an answer for a text that has changed since is not reported.
 */
export function validationLintSource(validate: Validate, report: (outcome: ValidationOutcome | { kind: "empty" }) => void): LintSource {
  let inFlight: AbortController | null = null;
  return async (view) => {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    const doc = view.state.doc;
    const source = doc.toString();
    if (source.trim() === "") {
      report({ kind: "empty" });
      return [];
    }
    let outcome: ValidationOutcome;
    try {
      outcome = await validate(source, controller.signal);
    } catch {
      return []; // aborted: a newer run answers
    }
    if (controller.signal.aborted || view.state.doc !== doc) return [];
    report(outcome);
    if (outcome.kind !== "invalid") return [];
    return toDiagnostics(doc, outcome.errors).map((d): Diagnostic => ({ ...d, source: "validate" }));
  };
}

export const editorTheme = EditorView.theme(
  {
    "&": { backgroundColor: "#0f1420", color: "#e5e9f2", fontSize: "13px", border: "1px solid var(--border)", borderRadius: "var(--radius)" },
    "&.cm-focused": { outline: "2px solid var(--accent)", outlineOffset: "1px" },
    ".cm-scroller": { fontFamily: 'ui-monospace, "JetBrains Mono", Menlo, Consolas, monospace', lineHeight: "1.55", minHeight: "320px" },
    ".cm-content": { caretColor: "#e5e9f2", padding: "8px 0" },
    ".cm-cursor, .cm-dropCursor": { borderLeftColor: "#e5e9f2" },
    ".cm-gutters": { backgroundColor: "#121826", color: "#8592aa", border: "none", borderRight: "1px solid var(--border)" },
    ".cm-activeLine": { backgroundColor: "rgba(79, 140, 255, 0.06)" },
    ".cm-activeLineGutter": { backgroundColor: "rgba(79, 140, 255, 0.12)", color: "#aab4c8" },
    "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection": {
      backgroundColor: "rgba(79, 140, 255, 0.3)",
    },
    ".cm-tooltip": { backgroundColor: "#182033", border: "1px solid var(--border)", color: "#e5e9f2" },
    ".cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "rgba(79, 140, 255, 0.35)", color: "#fff" },
    ".cm-completionDetail": { color: "#8b95a9", fontStyle: "normal", marginLeft: "0.8em" },
    ".cm-completionInfo": { maxWidth: "320px" },
    ".cm-diagnostic-error": { borderLeftColor: "#ef5350" },
    ".cm-panels": { backgroundColor: "#121826", color: "#e5e9f2" },
  },
  { dark: true },
);
