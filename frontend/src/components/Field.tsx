import type { ReactNode } from "react";

/** A labelled form input with its field's error under it (a 400's message for that field). */
export function Field(props: { label: string; hint?: string; error?: string | undefined; children: ReactNode }) {
  return (
    <label className="field bt-field" title={props.hint}>
      {props.label}
      {props.children}
      {props.error && (
        <span className="bt-error" data-testid="field-error">
          {props.error}
        </span>
      )}
    </label>
  );
}
