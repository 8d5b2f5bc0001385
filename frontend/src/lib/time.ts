// Every time the app shows or sends is UTC; the API speaks epoch seconds.

const pad = (n: number) => String(n).padStart(2, "0");

/** "2024-08-17 16:35 UTC" (or "2024-08-17" with dateOnly) for an epoch-seconds time. */
export function formatUtc(epochSeconds: number, options: { dateOnly?: boolean; suffix?: boolean } = {}): string {
  const d = new Date(epochSeconds * 1000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (options.dateOnly) return date;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return `${date} ${time}${options.suffix === false ? "" : " UTC"}`;
}

/** The value of an <input type="datetime-local"> ("2024-08-17T16:35") for an epoch-seconds time, in UTC. */
export function toDateTimeInputValue(epochSeconds: number): string {
  return formatUtc(epochSeconds, { suffix: false }).replace(" ", "T");
}

/**
 * Epoch seconds of a date the user typed ("2024-08-17", "2024-08-17T16:35" or epoch seconds), read
 * as UTC like the API does; null when it is not one.
 */
export function parseUtc(value: string): number | null {
  const text = value.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text);
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/** The same moment in the browser's time zone, for a tooltip: "local time: 2024-08-17 18:35 (GMT+2)". */
export function formatLocalTitle(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const text = d.toLocaleString("sv-SE", { hour12: false, timeZoneName: "short" }).replace(/:\d\d(?= )/, "");
  return `local time: ${text}`;
}

/** Epoch seconds of an ISO date-time the API sent ("2026-11-28T18:00:00Z"), or null. */
export function isoToEpoch(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
