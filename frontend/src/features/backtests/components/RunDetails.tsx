import { ErrorText } from "./ErrorText";
import { CommandLine } from "@/components/Banner";
import { DataSourceBadge } from "@/components/DataSourceBadge";
import { TIMEFRAME_SECONDS } from "@/config/timeframes";
import { isTimeframe } from "@/lib/api-types";
import { spanNotes } from "../model/span-notes";
import { Spinner } from "@/components/Spinner";
import { useBacktest } from "../api/get-backtest";
import { useBacktestEquity } from "../api/get-backtest-equity";
import { useBacktestTrades } from "../api/get-backtest-trades";
import type { BacktestRun, Kpis } from "../api/types";
import { formatKpi, kpiRows } from "../model/kpi-format";
import { profileNameOf } from "../model/risk-summary";
import { EquityChart } from "./EquityChart";
import { ReplayPanel } from "./ReplayPanel";
import { RunChart, type TradeFocus } from "./RunChart";
import { useBacktestChart } from "../api/get-backtest-chart";
import { benchmarkPoints } from "../model/benchmark";
import { EQUITY_POINTS } from "../api/get-backtest-equity";
import { MonthlyReturns } from "./MonthlyReturns";
import { TradesCsvButton } from "./CsvButtons";
import { TradesTable } from "./TradesTable";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { formatEpoch } from "./time";

type RenderRunRisk = ((run: BacktestRun) => ReactNode) | undefined;

export function RunDetails({ id, renderRunRisk }: { id: number; renderRunRisk?: RenderRunRisk }) {
  const run = useBacktest(id);
  if (run.error) return <ErrorText error={run.error} />;
  if (!run.data) return <Spinner label={`Loading run #${id}…`} />;
  return <RunView run={run.data} renderRunRisk={renderRunRisk} />;
}

function RunView({ run, renderRunRisk }: { run: BacktestRun; renderRunRisk: RenderRunRisk }) {
  const done = run.status === "done";
  // The streamed replay: closed, or open from a start (null: the first bar); `seq` re-opens.
  const [replay, setReplay] = useState<{ start: number | null; seq: number } | null>(null);
  const openReplay = (start: number | null) => setReplay((r) => ({ start, seq: (r?.seq ?? 0) + 1 }));
  // A run opened from the list (Enter or a click) takes the focus: the next Tab goes into the run
  // (its buttons, its trade rows), not through the rest of the list; and the window scrolls to it
  // when it is out of view (on a phone the list is below it).
  const sectionRef = useRef<HTMLElement | null>(null);
  useEffect(() => sectionRef.current?.focus(), [run.id]);
  return (
    <section ref={sectionRef} tabIndex={-1} className="bt-run" data-testid="run-details" data-status={run.status} data-run-id={run.id}>
      <header className="bt-run__header">
        <h2>
          Run #{run.id} · <span title={run.strategy}>{run.strategy_name}</span> · {run.symbol} · {run.exchange} {run.timeframe}
        </h2>
        <DataSourceBadge exchange={run.exchange} simulated={run.simulated} />
        <span className="muted small">
          {formatEpoch(run.start)} → {formatEpoch(run.end)} · params {Object.entries(run.params).map(([k, v]) => `${k}=${v}`).join(", ")} · fee{" "}
          {formatKpi(run.fee_rate, "percent")} · slippage {run.slippage_bps} bps · {profileNameOf(run.risk_limits) !== null ? `sized by the risk profile “${profileNameOf(run.risk_limits)}”` : `size ${run.size}`}
          {run.stop_loss !== null && ` · SL ${formatKpi(run.stop_loss, "percent")}`}
          {run.take_profit !== null && ` · TP ${formatKpi(run.take_profit, "percent")}`}
          {run.allow_short ? " · shorts" : " · long only"}
        </span>
      </header>
      <RunStatusLine run={run} />
      {done && <SpanNotes run={run} />}
      {renderRunRisk?.(run)}
      {done && run.kpis && <RunResults run={run} kpis={run.kpis} onReplayFrom={openReplay} />}
      {done && <ReplaySection run={run} replay={replay} onOpen={() => openReplay(null)} onClose={() => setReplay(null)} />}
    </section>
  );
}

function SpanNotes({ run }: { run: BacktestRun }) {
  const notes = spanNotes(run, isTimeframe(run.timeframe) ? TIMEFRAME_SECONDS[run.timeframe] : 0);
  if (notes.length === 0) return null;
  return (
    <div className="bt-span-notes" data-testid="span-notes">
      {notes.map((note) => (
        <p key={note.kind} className="bt-span-note" data-kind={note.kind}>
          {note.text}
          {note.command && <CommandLine>{note.command}</CommandLine>}
        </p>
      ))}
    </div>
  );
}

function ReplaySection(props: { run: BacktestRun; replay: { start: number | null; seq: number } | null; onOpen: () => void; onClose: () => void }) {
  const { run, replay } = props;
  if (replay) return <ReplayPanel key={`${run.id}-${replay.seq}`} run={run} startTime={replay.start} onClose={props.onClose} />;
  return (
    <div className="bt-replay">
      <button type="button" className="button button--ghost" data-testid="replay-open" onClick={props.onOpen}>
        Replay this run
      </button>
    </div>
  );
}

export function RunStatusLine({ run }: { run: BacktestRun }) {
  return (
    <div className={`bt-status bt-status--${run.status}`} data-testid="run-status" data-status={run.status}>
      <span className="bt-pill">{run.status}</span>
      {(run.status === "queued" || run.status === "running") && (
        <>
          <progress max={1} value={run.progress} />
          <span className="small">{Math.round(run.progress * 100)}%</span>
          <Spinner label={run.status === "queued" ? "Waiting for a worker…" : "Running…"} />
        </>
      )}
      {run.status === "failed" && (
        <span className="bt-error" data-testid="run-error">
          {run.error || "The run failed."}
        </span>
      )}
      {run.status === "done" && run.bars !== null && <span className="muted small">{run.bars.toLocaleString("en-US")} bars</span>}
    </div>
  );
}

function RunResults({ run, kpis, onReplayFrom }: { run: BacktestRun; kpis: Kpis; onReplayFrom: (time: number) => void }) {
  const equity = useBacktestEquity(run.id, true);
  const trades = useBacktestTrades(run.id, true);
  const chart = useBacktestChart(run.id, true);
  const [focus, setFocus] = useState<TradeFocus | null>(null);
  const selectTrade = (number: number) => {
    const trade = trades.data?.find((t) => t.number === number);
    if (trade) setFocus((f) => ({ trade, seq: (f?.seq ?? 0) + 1 }));
  };
  const buyAndHold = useMemo(
    () => (chart.data ? benchmarkPoints(chart.data.candles.time, chart.data.buy_and_hold, EQUITY_POINTS) : undefined),
    [chart.data],
  );
  return (
    <div className="bt-results">
      <RunChart run={run} chart={chart} trades={trades.data} focus={focus} onReplayFrom={onReplayFrom} />
      <KpiTable kpis={kpis} />
      <div className="bt-results__main">
        {equity.error ? <ErrorText error={equity.error} /> : equity.data ? <EquityChart equity={equity.data.equity} buyAndHold={buyAndHold} /> : <Spinner label="Loading the equity curve…" />}
        <MonthlyReturns runId={run.id} />
        {trades.error ? (
          <ErrorText error={trades.error} />
        ) : trades.data ? (
          <>
            <TradesCsvButton runId={run.id} trades={trades.data} />
            {/* A click or Enter on a trade zooms the candle chart above to it. */}
            <TradesTable trades={trades.data} selectedTrade={focus?.trade.number} onSelect={(number) => selectTrade(number)} />
          </>
        ) : (
          <Spinner label="Loading the trades…" />
        )}
      </div>
    </div>
  );
}

function KpiTable({ kpis }: { kpis: Kpis }) {
  return (
    <table className="bt-table bt-kpis" data-testid="kpi-table">
      <tbody>
        {kpiRows(kpis).map((row) => (
          <tr key={row.key} data-kpi={row.key}>
            <th>{row.label}</th>
            <td className={row.tone}>{row.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
