// CSV files of a run's trades and of the runs list (RFC 4180: comma-separated, CRLF line ends,
// a field quoted when it holds a comma, a quote, or a line break, its quotes doubled).
import type { BacktestRun, BacktestTrade } from "../api/types";
import { KPI_DEFINITIONS } from "./kpi-format";

export type CsvValue = string | number | boolean | null | undefined;

/** One field: numbers as JavaScript prints them (the shortest text that reads back the same
 * number, so the file holds the API's values exactly), null/undefined/non-finite as empty. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" && !Number.isFinite(value)) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: string[], rows: CsvValue[][]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/** Epoch seconds -> "2024-06-01T12:05:00Z". */
const isoUtc = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

/** The trades endpoint's fields, in its order, with the same values; then the times in ISO UTC
 * for a spreadsheet's eyes. */
export const TRADE_FIELDS = [
  "number",
  "side",
  "entry_time",
  "exit_time",
  "entry_price",
  "exit_price",
  "size",
  "entry_fee",
  "exit_fee",
  "pnl",
  "return_fraction",
  "exit_reason",
] as const satisfies readonly (keyof BacktestTrade)[];

export function tradesCsv(trades: BacktestTrade[]): string {
  return toCsv(
    [...TRADE_FIELDS, "entry_time_utc", "exit_time_utc"],
    trades.map((trade) => [...TRADE_FIELDS.map((field) => trade[field]), isoUtc(trade.entry_time), isoUtc(trade.exit_time)]),
  );
}

const RUN_FIELDS = ["id", "sweep", "status", "strategy", "strategy_name", "exchange", "symbol", "timeframe"] as const;

/** One row per run: what identifies it, its span (ISO UTC), its parameters (JSON) and settings,
 * then every KPI (raw numbers: fractions, not percents). */
export function runsCsv(runs: BacktestRun[]): string {
  const kpiKeys = KPI_DEFINITIONS.map((def) => def.key);
  return toCsv(
    [...RUN_FIELDS, "start_utc", "end_utc", "params", "fee_rate", "slippage_bps", "initial_capital", "error", ...kpiKeys],
    runs.map((run) => [
      ...RUN_FIELDS.map((field) => run[field]),
      isoUtc(run.start),
      isoUtc(run.end),
      JSON.stringify(run.params),
      run.fee_rate,
      run.slippage_bps,
      run.initial_capital,
      run.error,
      ...kpiKeys.map((key) => (run.kpis as Record<string, number | null> | null)?.[key]),
    ]),
  );
}

/** A minimal RFC 4180 reader (the tests read back what the writer made). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || (ch === "\r" && text[i + 1] === "\n")) {
      if (ch === "\r") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}
