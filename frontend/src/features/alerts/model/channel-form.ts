// The add-channel form as plain data, checked before sending the way the API checks it
// (docs/alerts.md), and turned into the request body. Pure: unit tested.
import type { AlertEvent, ChannelCreate } from "../api/types";

/** Every event, in the API's order, with its words. */
export const EVENTS: { event: AlertEvent; label: string }[] = [
  { event: "fill", label: "Fills" },
  { event: "protective_fill", label: "Stop-loss / take-profit fills" },
  { event: "error", label: "Errors" },
  { event: "kill_switch", label: "Kill switch" },
  { event: "stalled", label: "Stalled bots" },
  { event: "refused", label: "Exchange refusals" },
];

export interface ChannelFormState {
  name: string;
  url: string;
  events: AlertEvent[];
}

/** Field name as the API names it -> message. */
export type ChannelFormErrors = Record<string, string>;

export function initialChannelForm(): ChannelFormState {
  return { name: "", url: "", events: ["error", "kill_switch", "stalled", "refused"] };
}

export function toggledEvent(events: AlertEvent[], event: AlertEvent): AlertEvent[] {
  const next = events.includes(event) ? events.filter((e) => e !== event) : [...events, event];
  return EVENTS.map((e) => e.event).filter((e) => next.includes(e));
}

export function buildChannelBody(form: ChannelFormState): { body: ChannelCreate; errors: null } | { body: null; errors: ChannelFormErrors } {
  const errors: ChannelFormErrors = {};
  const name = form.name.trim();
  if (!name) errors.name = "required";
  else if (name.length > 100) errors.name = "at most 100 characters";
  const url = form.url.trim();
  if (!url) errors.url = "required: the service's apprise URL, e.g. tgram://bottoken/ChatID";
  else if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url)) errors.url = "an apprise URL starts with its service, e.g. tgram://, discord://, mailto://";
  if (Object.keys(errors).length > 0) return { body: null, errors };
  return { body: { name, url, events: form.events, enabled: true }, errors: null };
}
