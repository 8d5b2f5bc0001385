// What a finished run says about its span: clipped to the stored data, and the bars its strategy
// spent warming up (its indicators undefined: no stored history before the span). Pure.
import { formatUtc } from "@/lib/time";

export interface SpanFacts {
  symbol: string;
  exchange: string;
  timeframe: string;
  /** Epoch seconds: asked [start, end), and what the stored data gave (null until done). */
  start: number;
  end: number;
  data_start: number | null;
  data_end: number | null;
  warmup_bars: number | null;
}

export interface SpanNote {
  kind: "clipped" | "warmup";
  text: string;
  /** A command that fixes it, runnable as printed. */
  command?: string;
}

const words = (seconds: number) => {
  const days = seconds / 86_400;
  if (days >= 2) return `${Math.round(days)} days`;
  const hours = seconds / 3_600;
  return hours >= 2 ? `${Math.round(hours)} h` : `${Math.round(seconds / 60)} min`;
};

export function spanNotes(run: SpanFacts, barSeconds: number): SpanNote[] {
  const notes: SpanNote[] = [];
  if (run.data_start === null || run.data_end === null) return notes;
  const fetch = (since: number) =>
    `python manage.py fetch_ohlcv ${run.symbol} ${run.timeframe} --exchange ${run.exchange} --since ${formatUtc(since, { dateOnly: true })}`;
  const late = run.data_start - run.start >= barSeconds;
  const early = run.end - run.data_end >= barSeconds;
  if (late || early) {
    const parts = [
      late ? `no ${run.timeframe} candles are stored before ${formatUtc(run.data_start)} (asked from ${formatUtc(run.start)})` : "",
      early ? `none after ${formatUtc(run.data_end)} (asked to ${formatUtc(run.end)})` : "",
    ].filter(Boolean);
    notes.push({ kind: "clipped", text: `Span clipped to the stored data: ${parts.join("; ")}.`, ...(late ? { command: fetch(run.start) } : {}) });
  }
  const bars = run.warmup_bars ?? 0;
  if (bars > 0) {
    const until = run.data_start + bars * barSeconds;
    notes.push({
      kind: "warmup",
      text:
        `The first ${bars.toLocaleString("en-US")} bars (${words(bars * barSeconds)}, to ${formatUtc(until)}) went to the indicators' warm-up: ` +
        "no stored history before the span to compute them from, so the strategy could not trade there and the equity stays flat. " +
        "Start the run later, or fetch earlier candles:",
      command: fetch(run.data_start - (bars + 1) * barSeconds),
    });
  }
  return notes;
}
