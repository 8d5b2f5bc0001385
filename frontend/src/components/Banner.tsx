import type { ReactNode } from "react";

type Tone = "info" | "warning" | "error";

/** A full-width message: what happened, and in `children` what to do about it. */
export function Banner(props: { tone: Tone; title: string; children?: ReactNode; testId?: string }) {
  return (
    <div className={`banner banner--${props.tone}`} role={props.tone === "error" ? "alert" : "status"} data-testid={props.testId}>
      <strong className="banner__title">{props.title}</strong>
      {props.children && <div className="banner__body">{props.children}</div>}
    </div>
  );
}

/** A shell command the user is asked to run, selectable in one click. */
export function CommandLine({ children }: { children: string }) {
  return <code className="command">{children}</code>;
}
