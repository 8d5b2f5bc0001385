import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { MAX_CANDLE_LIMIT } from "@/config/api";
import { parseUtc, toDateTimeInputValue } from "@/lib/time";

export interface WindowDraft {
  start: string;
  end: string;
  limit: string;
}

/** A date from the URL shown in a datetime-local input (which only takes YYYY-MM-DDTHH:MM). */
function toInputValue(value: string | undefined): string {
  if (!value) return "";
  const seconds = parseUtc(value);
  return seconds === null ? value : toDateTimeInputValue(seconds);
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
  onSubmit: (draft: WindowDraft) => void;
  busy: boolean;
}) {
  const { start, end, limit, onSubmit, busy } = props;
  const [draft, setDraft] = useState<WindowDraft>({ start: toInputValue(start), end: toInputValue(end), limit: String(limit) });

  // The window can also change from outside (a timeframe switch recentres it): show it.
  useEffect(() => {
    setDraft({ start: toInputValue(start), end: toInputValue(end), limit: String(limit) });
  }, [start, end, limit]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(draft);
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
        <input type="datetime-local" data-testid="start-input" value={draft.start} onChange={set("start")} />
      </label>
      <label className="field">
        <span>End (UTC)</span>
        <input type="datetime-local" data-testid="end-input" value={draft.end} onChange={set("end")} />
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
    </form>
  );
}
