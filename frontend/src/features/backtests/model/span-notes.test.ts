import { describe, expect, it } from "vitest";
import { spanNotes, type SpanFacts } from "./span-notes";

const DAY = 86_400;
const OCT_8 = 1_791_417_600; // 2026-10-08 00:00 UTC
const run: SpanFacts = {
  symbol: "BTCUSDT",
  exchange: "simulated",
  timeframe: "5m",
  start: OCT_8,
  end: OCT_8 + 60 * DAY,
  data_start: OCT_8,
  data_end: OCT_8 + 60 * DAY,
  warmup_bars: 0,
};

describe("span notes", () => {
  it("say nothing of a span the data covered with its history", () => {
    expect(spanNotes(run, 300)).toEqual([]);
    expect(spanNotes({ ...run, data_start: null, data_end: null }, 300)).toEqual([]);
  });

  it("say when the span was clipped, with the command that fetches the missing start", () => {
    const [note] = spanNotes({ ...run, start: OCT_8 - 30 * DAY, end: OCT_8 + 90 * DAY }, 300);
    expect(note?.kind).toBe("clipped");
    expect(note?.text).toBe(
      "Span clipped to the stored data: no 5m candles are stored before 2026-10-08 00:00 UTC (asked from 2026-09-08 00:00 UTC); none after 2026-12-07 00:00 UTC (asked to 2027-01-06 00:00 UTC).",
    );
    expect(note?.command).toBe("python manage.py fetch_ohlcv BTCUSDT 5m --exchange simulated --since 2026-09-08");
  });

  it("count the warm-up bars in words and suggest where to fetch from", () => {
    const [note] = spanNotes({ ...run, warmup_bars: 10_223 }, 300);
    expect(note?.kind).toBe("warmup");
    expect(note?.text).toContain("The first 10,223 bars (35 days, to 2026-11-12 11:55 UTC) went to the indicators' warm-up");
    // From far enough back that the whole warm-up is before the span: 10,224 bars = 35.5 days earlier.
    expect(note?.command).toBe("python manage.py fetch_ohlcv BTCUSDT 5m --exchange simulated --since 2026-09-02");
  });
});
