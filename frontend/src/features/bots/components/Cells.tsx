import { localText, moneyText, tone, utcText } from "../model/format";

/** A UTC time; the local time on hover. */
export function UtcTime({ seconds }: { seconds: number | null | undefined }) {
  if (seconds === null || seconds === undefined) return <span className="muted">—</span>;
  return (
    <time dateTime={new Date(seconds * 1000).toISOString()} title={localText(seconds)}>
      {utcText(seconds)}
    </time>
  );
}

export const isoSeconds = (iso: string | null | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) : null);

/** Money, right-aligned in tables (class num), green/red by sign when `signed`. */
export function Money({ value, unit, signed = false }: { value: string | number | null | undefined; unit: string; signed?: boolean }) {
  return <span className={signed ? tone(value) : undefined}>{moneyText(value, unit, signed)}</span>;
}

/** PAPER or LIVE: live in solid red so that nobody mistakes it for a simulation. */
export function ModeBadge({ mode }: { mode: string }) {
  const live = mode === "live";
  return (
    <span className={`bot-mode ${live ? "bot-mode--live" : "bot-mode--paper"}`} data-testid="mode-badge" title={live ? "real orders on the exchange" : "simulated fills"}>
      {live ? "LIVE" : "PAPER"}
    </span>
  );
}

/** The bot's status; a running bot whose decision is late shows "stalled", the reason on hover. */
export function StatusPill({ status, stalled = "" }: { status: string; stalled?: string }) {
  const shown = status === "running" && stalled ? "stalled" : status;
  return (
    <span className={`bot-status bot-status--${shown}`} data-testid="bot-status" title={shown === "stalled" ? stalled : undefined}>
      {shown}
    </span>
  );
}
