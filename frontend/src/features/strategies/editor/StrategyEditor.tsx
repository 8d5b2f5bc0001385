// The strategy source editor (CodeMirror 6), loaded on its own (React.lazy in StrategyWorkspace):
// the rest of the app never downloads CodeMirror. Highlighting, completion, errors underlined as you
// type (validated after a pause), and under it the list of problems, each a button to its place.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { bracketMatching } from "@codemirror/language";
import { lintGutter, linter, lintKeymap } from "@codemirror/lint";
import { Compartment, EditorSelection, EditorState } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";
import { useEffect, useRef, useState } from "react";
import { validateSource, type ValidationOutcome } from "../api/strategies";
import type { LanguageSpec, SourceError } from "../api/types";
import { describeError, errorRange } from "../model/diagnostics";
import { vocabularyOf } from "../model/tokenizer";
import { completionSource, editorTheme, validationLintSource, type Validate } from "./extensions";
import { strategyHighlighting, strategyLanguage } from "./language";

/** What the page hears about the text: being checked, or the validate endpoint's verdict. */
export type EditorValidation = { kind: "pending" } | { kind: "empty" } | ValidationOutcome;

/** A pause in typing this long (ms) sends the text to the validate endpoint. */
export const VALIDATE_DELAY_MS = 450;

export interface StrategyEditorProps {
  /** The text on mount; remount (a React key) to load another. */
  initialSource: string;
  language: LanguageSpec | null;
  onChange: (source: string) => void;
  onValidation: (validation: EditorValidation) => void;
  /** Id of the element naming the editor (its label). */
  labelledBy: string;
  validate?: Validate;
}

declare global {
  interface Window {
    /** e2e build only: the editor's text, and replacing it as a paste would. */
    __strategyEditor?: { text: () => string; setText: (text: string) => void };
  }
}

export default function StrategyEditor(props: StrategyEditorProps) {
  const hostRef = useRef<HTMLDivElement | null>(null);
  const viewRef = useRef<EditorView | null>(null);
  const languageRef = useRef<LanguageSpec | null>(props.language);
  const callbacks = useRef({ onChange: props.onChange, onValidation: props.onValidation });
  callbacks.current = { onChange: props.onChange, onValidation: props.onValidation };
  const [languageCompartment] = useState(() => new Compartment());
  const [validation, setValidation] = useState<EditorValidation>({ kind: "pending" });
  const hintId = `${props.labelledBy}-keys`;

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const validate = props.validate ?? validateSource;
    const report = (next: EditorValidation) => {
      setValidation(next);
      callbacks.current.onValidation(next);
    };
    const view = new EditorView({
      parent: host,
      state: EditorState.create({
        doc: props.initialSource,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          highlightActiveLine(),
          bracketMatching(),
          closeBrackets(),
          languageCompartment.of(strategyLanguage(vocabularyOf(languageRef.current))),
          strategyHighlighting,
          autocompletion({ override: [completionSource(() => languageRef.current)], activateOnTyping: true }),
          linter(validationLintSource(validate, report), { delay: VALIDATE_DELAY_MS }),
          lintGutter(),
          // No Tab binding: Tab leaves the editor, as everywhere else on the page.
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ "aria-labelledby": props.labelledBy, "aria-describedby": hintId, spellcheck: "false" }),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            report({ kind: "pending" });
            callbacks.current.onChange(update.state.doc.toString());
          }),
          editorTheme,
        ],
      }),
    });
    viewRef.current = view;
    if (import.meta.env.MODE === "e2e")
      window.__strategyEditor = {
        text: () => view.state.doc.toString(),
        setText: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, userEvent: "input.paste" }),
      };
    return () => {
      if (import.meta.env.MODE === "e2e") delete window.__strategyEditor;
      view.destroy();
      viewRef.current = null;
    };
    // The editor is created once per mount: later props arrive through refs and the compartment.
  }, []);

  // The language's answer arrives after the editor: known functions are coloured from then on.
  useEffect(() => {
    languageRef.current = props.language;
    viewRef.current?.dispatch({ effects: languageCompartment.reconfigure(strategyLanguage(vocabularyOf(props.language))) });
  }, [props.language, languageCompartment]);

  const goTo = (error: SourceError) => {
    const view = viewRef.current;
    if (!view) return;
    const range = errorRange(view.state.doc, error);
    view.dispatch({ selection: EditorSelection.range(range.from, range.to), scrollIntoView: true });
    view.focus();
  };

  return (
    <div className="strategy-editor" data-testid="strategy-editor">
      <div ref={hostRef} className="strategy-editor__host" />
      <p className="muted small" id={hintId}>
        Ctrl-Space completes; Ctrl-Shift-M lists the problems, F8 goes to the next one; Tab leaves the editor.
      </p>
      <ValidationStatus validation={validation} onGoTo={goTo} />
    </div>
  );
}

/** The verdict in words, for the live region: kept while the next one is pending, so a screen
 * reader hears each verdict once rather than "Checking" at every key. */
function verdictOf(validation: EditorValidation): string | null {
  switch (validation.kind) {
    case "pending":
      return null;
    case "empty":
      return "The editor is empty.";
    case "valid":
      return "The strategy is valid.";
    case "failed":
      return `Could not check the text: ${validation.message}`;
    case "invalid":
      return `${validation.errors.length} ${validation.errors.length === 1 ? "problem" : "problems"}: ${validation.errors.map(describeError).join("; ")}`;
  }
}

function ValidationStatus({ validation, onGoTo }: { validation: EditorValidation; onGoTo: (error: SourceError) => void }) {
  const [verdict, setVerdict] = useState<string | null>(null);
  const said = verdictOf(validation);
  if (said !== null && said !== verdict) setVerdict(said);
  return (
    <div className="strategy-validation" data-testid="validation-status" data-state={validation.kind}>
      <span className="sr-only" aria-live="polite">
        {verdict}
      </span>
      {validation.kind === "pending" && <span className="muted">Checking…</span>}
      {validation.kind === "empty" && <span className="muted">Write a strategy: at least a timeframe and an entry.</span>}
      {validation.kind === "valid" && <span className="up">✓ The strategy is valid.</span>}
      {validation.kind === "failed" && <span className="bt-error">Could not check the text: {validation.message}</span>}
      {validation.kind === "invalid" && (
        <>
          <span className="bt-error">
            {validation.errors.length} {validation.errors.length === 1 ? "problem" : "problems"}:
          </span>
          <ul className="strategy-problems" data-testid="strategy-problems">
            {validation.errors.map((error, i) => (
              <li key={`${error.line}:${error.column}:${i}`}>
                <button type="button" className="bt-link" data-testid="strategy-problem" onClick={() => onGoTo(error)}>
                  {describeError(error)}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
