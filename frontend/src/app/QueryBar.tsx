import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { MAX_CANDLE_LIMIT } from "@/config/api";
import { formatUtc, parseUtc } from "@/lib/time";

export interface WindowDraft {
  start: string;
  end: string;
  limit: string;
}

/** A date from the URL as the inputs show it: 24-hour ISO UTC, "2024-08-17 16:35". */
function toInputValue(value: string | undefined): string {
  if (!value) return "";
  const seconds = parseUtc(value);
  return seconds === null ? value : formatUtc(seconds, { suffix: false });
}

/** What an input's text becomes in the URL ("2024-08-17T16:35"), or null when it is not a date. */
export function windowDate(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return "";
  const iso = trimmed.replace(" ", "T");
  return parseUtc(iso) === null ? null : iso;
}

/**
 * Symbol and timeframe apply at once; the window (start, end, limit) applies with "Reload data",
 * which also fetches again when nothing changed.
 */
export function QueryBar(props: {
  symbolSelect: ReactNode;
  timeframeSelect: ReactNode;
  start: string | undefined;
  end: string | undefined;
  limit: number;
  /** What is stored of the chosen symbol and timeframe (epoch seconds of the first and last open). */
  stored?: { first: number; last: number; count: number } | undefined;
  onSubmit: (draft: WindowDraft) => void;
  busy: boolean;
}) {
  const { start, end, limit, stored, onSubmit, busy } = props;
  const [invalid, setInvalid] = useState<string | null>(null);
  const [draft, setDraft] = useState<WindowDraft>({ start: toInputValue(start), end: toInputValue(end), limit: String(limit) });

  // The window can also change from outside (a timeframe switch recentres it): show it.
  useEffect(() => {
    setDraft({ start: toInputValue(start), end: toInputValue(end), limit: String(limit) });
  }, [start, end, limit]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const [startIso, endIso] = [windowDate(draft.start), windowDate(draft.end)];
    if (startIso === null || endIso === null) {
      setInvalid(`${startIso === null ? "Start" : "End"}: use YYYY-MM-DD or YYYY-MM-DD HH:MM (UTC, 24-hour).`);
      return;
    }
    setInvalid(null);
    onSubmit({ ...draft, start: startIso, end: endIso });
  };
  const set = (key: keyof WindowDraft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value }));

  return (
    <form className="query-bar" onSubmit={submit} aria-label="Data to replay">
      <label className="field">
        <span>Symbol</span>
        {props.symbolSelect}
      </label>
      <label className="field">
        <span>Timeframe</span>
        {props.timeframeSelect}
      </label>
      <label className="field">
        <span>Start (UTC)</span>
        <input type="text" inputMode="numeric" spellCheck={false} placeholder="YYYY-MM-DD HH:MM" data-testid="start-input" value={draft.start} onChange={set("start")} aria-invalid={invalid?.startsWith("Start") || undefined} />
      </label>
      <label className="field">
        <span>End (UTC)</span>
        <input type="text" inputMode="numeric" spellCheck={false} placeholder="YYYY-MM-DD HH:MM" data-testid="end-input" value={draft.end} onChange={set("end")} aria-invalid={invalid?.startsWith("End") || undefined} />
      </label>
      <label className="field field--narrow">
        <span>Candles</span>
        <input type="number" data-testid="limit-input" min={1} max={MAX_CANDLE_LIMIT} step={1} value={draft.limit} onChange={set("limit")} />
      </label>
      <button type="submit" className="button" data-testid="reload" disabled={busy}>
        {busy ? "Loading…" : "Reload data"}
      </button>
      {(draft.start || draft.end) && (
        <button type="button" className="button button--ghost" data-testid="clear-dates" onClick={() => onSubmit({ ...draft, start: "", end: "" })}>
          Latest
        </button>
      )}
      {invalid ? (
        <span className="bt-error small" role="alert" data-testid="window-error">
          {invalid}
        </span>
      ) : (
        stored && (
          <span className="muted small" data-testid="stored-range">
            Stored: {formatUtc(stored.first, { suffix: false })} → {formatUtc(stored.last)} ({stored.count.toLocaleString("en-US")} candles)
          </span>
        )
      )}
    </form>
  );
}
