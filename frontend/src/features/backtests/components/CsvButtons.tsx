import { useState } from "react";
import { downloadText } from "@/lib/download";
import { fetchAllRuns } from "../api/get-backtests";
import type { BacktestTrade } from "../api/types";
import { runsCsv, tradesCsv } from "../model/csv";

/** Downloads the run's trades as CSV: the rows and values of GET .../<id>/trades/. */
export function TradesCsvButton({ runId, trades }: { runId: number; trades: BacktestTrade[] }) {
  return (
    <div className="bt-actions">
      <button type="button" className="button button--ghost" data-testid="trades-csv" onClick={() => downloadText(`run-${runId}-trades.csv`, tradesCsv(trades))}>
        Download trades (CSV)
      </button>
    </div>
  );
}

/** Downloads all your runs (sweeps' included, newest first, at most 500) as CSV, one row per run
 * with its settings and KPIs; read from the API when clicked. */
export function RunsCsvButton() {
  const [state, setState] = useState<"idle" | "reading" | "failed">("idle");
  const download = async () => {
    setState("reading");
    try {
      downloadText("backtest-runs.csv", runsCsv((await fetchAllRuns()).results));
      setState("idle");
    } catch {
      setState("failed");
    }
  };
  return (
    <button
      type="button"
      className="button button--ghost button--small"
      data-testid="runs-csv"
      disabled={state === "reading"}
      title={state === "failed" ? "The runs could not be read: try again" : "All your runs, with their settings and KPIs"}
      onClick={() => void download()}
    >
      {state === "failed" ? "CSV (retry)" : "CSV"}
    </button>
  );
}
