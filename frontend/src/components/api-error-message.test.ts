import { describe, expect, it } from "vitest";
import { splitCommand } from "./ApiErrorMessage";

describe("splitCommand", () => {
  it("separates the fetch command from the explanation", () => {
    const detail =
      "No 4h candles of binance:SOLUSDT in that window. Fetch them: python manage.py fetch_ohlcv SOLUSDT 4h --exchange binance --since 2024-05-01";
    expect(splitCommand(detail)).toEqual({
      text: "No 4h candles of binance:SOLUSDT in that window. Fetch them:",
      command: "python manage.py fetch_ohlcv SOLUSDT 4h --exchange binance --since 2024-05-01",
    });
    expect(splitCommand("Unknown symbol 'X'. Download it first, e.g. python manage.py fetch_ohlcv X 1h.").command).toBe(
      "python manage.py fetch_ohlcv X 1h",
    );
    expect(splitCommand("Nothing to run.")).toEqual({ text: "Nothing to run.", command: null });
  });
});
