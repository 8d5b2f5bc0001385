import { downloadText } from "@/lib/download";
import type { BacktestRun, BacktestTrade } from "../api/types";
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

/** Downloads the runs listed as CSV, one row per run with its KPIs. */
export function RunsCsvButton({ runs }: { runs: BacktestRun[] }) {
  return (
    <button type="button" className="button button--ghost button--small" data-testid="runs-csv" disabled={runs.length === 0} onClick={() => downloadText("backtest-runs.csv", runsCsv(runs))}>
      CSV
    </button>
  );
}
