// The validate endpoint's errors (lines and columns 1-based, end exclusive) as document ranges
// the editor underlines. Pure: takes any line index (CodeMirror's Text has the same shape).
import type { SourceError } from "../api/types";

/** A document's lines: `line(n)` (1-based) gives its start and end offsets (end before the newline). */
export interface LineIndex {
  readonly lines: number;
  line(n: number): { from: number; to: number };
}

/** A line index over a plain string (the tests', and anything outside the editor). */
export function lineIndexOf(text: string): LineIndex {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return {
    lines: starts.length,
    line: (n) => {
      const from = starts[n - 1]!;
      const next = starts[n];
      return { from, to: next === undefined ? text.length : next - 1 };
    },
  };
}

export interface DiagnosticRange {
  from: number;
  to: number;
  severity: "error";
  message: string;
}

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

/** The offset of (line, column), both 1-based, clamped into the document (a column past the end of
 * its line is the line's end; a line past the end is the document's end). */
export function offsetOf(doc: LineIndex, line: number, column: number): number {
  if (!Number.isFinite(line) || line < 1) return 0;
  if (line > doc.lines) return doc.line(doc.lines).to;
  const { from, to } = doc.line(Math.floor(line));
  return clamp(from + Math.floor(Number.isFinite(column) ? column : 1) - 1, from, to);
}

/**
 * The range an error underlines. An empty range (e.g. "expected a value" at the end of a line)
 * becomes the character after it, or before it at the end of its line, so there is something to
 * see; only on an empty line does it stay empty (the editor draws a point there).
 */
export function errorRange(doc: LineIndex, error: Pick<SourceError, "line" | "column"> & Partial<SourceError>): { from: number; to: number } {
  const from = offsetOf(doc, error.line, error.column);
  const line = doc.line(lineNumberAt(doc, from));
  const to =
    error.end_line === undefined || error.end_line === null
      ? Math.min(from + 1, line.to)
      : offsetOf(doc, error.end_line, error.end_column ?? error.column + 1);
  if (to > from) return { from, to };
  if (from < line.to) return { from, to: from + 1 };
  if (from > line.from) return { from: from - 1, to: from };
  return { from, to: from };
}

/** The 1-based line holding `offset`. */
export function lineNumberAt(doc: LineIndex, offset: number): number {
  let low = 1;
  let high = doc.lines;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (doc.line(mid).from <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

export function toDiagnostics(doc: LineIndex, errors: readonly SourceError[]): DiagnosticRange[] {
  return errors.map((error) => ({ ...errorRange(doc, error), severity: "error", message: error.message }));
}

const POSITIONED = /^line (\d+), column (\d+): (.*)$/s;

/**
 * The errors of a 400 on the source: `errors` with positions when the API gives them, else the
 * `source` messages ("line 3, column 9: ..." parsed; a message without a position is put on line 1).
 */
export function sourceErrorsOf(body: unknown): SourceError[] {
  if (!body || typeof body !== "object") return [];
  const { errors, source } = body as { errors?: unknown; source?: unknown };
  if (Array.isArray(errors)) {
    const parsed = errors.filter(isSourceError);
    if (parsed.length) return parsed;
  }
  const messages = Array.isArray(source) ? source.filter((m): m is string => typeof m === "string") : typeof source === "string" ? [source] : [];
  return messages.map((text) => {
    const match = POSITIONED.exec(text);
    if (!match) return { line: 1, column: 1, end_line: 1, end_column: 1, message: text };
    const line = Number(match[1]);
    const column = Number(match[2]);
    return { line, column, end_line: line, end_column: column + 1, message: match[3]! };
  });
}

function isSourceError(value: unknown): value is SourceError {
  if (!value || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return typeof v.line === "number" && typeof v.column === "number" && typeof v.message === "string";
}

/** "line 3, column 9: message", as the API words it in `source`. */
export function describeError(error: SourceError): string {
  return `line ${error.line}, column ${error.column}: ${error.message}`;
}
