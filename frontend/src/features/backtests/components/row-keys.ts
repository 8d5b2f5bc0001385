import type { KeyboardEvent } from "react";

/** A focusable table row's keys: Enter (or Space) does what a click on the row does. Keys
 * pressed on a checkbox or button inside the row stay theirs. */
export const activateOnKey = (action: () => void) => (event: KeyboardEvent<HTMLElement>) => {
  if (event.target !== event.currentTarget) return;
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    action();
  }
};
