import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import "./run-chart.css";
import { PriceChart, tradeMarkers, tradeZoomRange, type CandleColumns, type PriceLine, type TradeMarkerInfo } from "@/components/price-chart";
import { Spinner } from "@/components/Spinner";
import { formatPrice } from "@/lib/format";
import type { BacktestRun, BacktestTrade, RunChartData } from "../api/types";
import { formatKpi } from "../model/kpi-format";
import { ErrorText } from "./ErrorText";
import { ParamsEditor } from "./ParamsEditor";
import { formatEpoch } from "./time";

export const RUN_CHART_RENDERED_MARK = "run-chart:rendered";

/** A trade picked in the table; `seq` makes picking the same row again zoom again. */
export interface TradeFocus {
  trade: BacktestTrade;
  seq: number;
}

/** The run's candle chart, drawn at once: candles of its span, volume, the strategy's lines and
 * every trade's entry and exit (side, reason and prices on hover); a picked trade is zoomed to. */
export function RunChart(props: {
  run: BacktestRun;
  chart: { data?: RunChartData; error: unknown };
  trades: BacktestTrade[] | undefined;
  focus: TradeFocus | null;
  /** Select-bar mode picked a candle: replay the run from its open time. */
  onReplayFrom?: (time: number) => void;
}) {
  const { run, chart, trades, focus, onReplayFrom } = props;
  const data = chart.data;
  const sectionRef = useRef<HTMLDivElement | null>(null);
  const [hidden, toggle] = useHiddenLayers();
  const [editing, setEditing] = useState(false);
  const [selectingBar, setSelectingBar] = useState(false);
  const pickBar = useCallback(
    (time: number) => {
      setSelectingBar(false);
      onReplayFrom?.(time);
    },
    [onReplayFrom],
  );
  useEffect(() => {
    if (!selectingBar) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setSelectingBar(false);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [selectingBar]);
  const candles: CandleColumns | null = data?.candles ?? null;
  const lines: PriceLine[] = useMemo(
    () => (hidden.has("lines") ? [] : Object.entries(data?.lines ?? {}).map(([name, values]) => ({ name, values }))),
    [data, hidden],
  );
  const marked = useMemo(() => (candles && trades && !hidden.has("trades") ? tradeMarkers(trades, candles.time) : null), [candles, trades, hidden]);
  // First render done: the candles with whatever layers are on (make bench times it).
  const complete = candles !== null && (marked !== null || hidden.has("trades"));
  const markedOnce = useRef(false);
  const onDrawn = useCallback(() => {
    if (!complete || markedOnce.current) return;
    markedOnce.current = true;
    performance.mark(RUN_CHART_RENDERED_MARK);
  }, [complete]);
  const zoom = useMemo(() => (focus && candles ? tradeZoomRange(candles.time, focus.trade.entry_time, focus.trade.exit_time) : null), [focus, candles]);

  useEffect(() => {
    // The table is under the chart: bring the chart into view when a row far below is picked.
    if (zoom) sectionRef.current?.scrollIntoView?.({ block: "nearest" });
  }, [zoom]);

  if (chart.error || !data || !candles)
    return <div className="bt-run-chart">{chart.error ? <ErrorText error={chart.error} /> : <Spinner label="Loading the candles…" />}</div>;
  return (
    <div className="bt-run-chart" ref={sectionRef} data-testid="run-chart" data-trades={marked ? "ready" : "loading"}>
      {selectingBar && (
        <div className="select-bar-hint" role="status" data-testid="run-select-bar-hint">
          Select bar: click the candle to replay the run from (Esc cancels).
        </div>
      )}
      {data.truncated && <p className="muted small">The span has more candles than one chart holds: its last {candles.time.length.toLocaleString("en-US")} are drawn.</p>}
      <PriceChart
        title={`${run.symbol} ${run.timeframe}`}
        candles={candles}
        lines={lines}
        markers={marked?.markers}
        markerTooltip={(id) => {
          const info = marked?.byId.get(id);
          return info ? <TradeTooltip info={info} /> : null;
        }}
        focus={zoom}
        onDrawn={onDrawn}
        onBarClick={selectingBar ? pickBar : undefined}
        tools={[
          <button
            key="params"
            type="button"
            className={`chip${editing ? " chip--on" : ""}`}
            aria-pressed={editing}
            data-testid="edit-params"
            title="Change the strategy's parameters and run this backtest again"
            onClick={() => setEditing((on) => !on)}
          >
            Parameters
          </button>,
          ...(onReplayFrom
            ? [
                <button
                  key="replay"
                  type="button"
                  className={`chip${selectingBar ? " chip--on" : ""}`}
                  aria-pressed={selectingBar}
                  data-testid="replay-select-bar"
                  title="Replay the run from a bar: click it on the chart"
                  onClick={() => setSelectingBar((on) => !on)}
                >
                  Replay from a bar
                </button>,
              ]
            : []),
          ...LAYERS.map((layer) => (
          <button
            key={layer}
            type="button"
            className={`chip${hidden.has(layer) ? "" : " chip--on"}`}
            aria-pressed={!hidden.has(layer)}
            data-testid={`layer-${layer}`}
            title={`Show or hide the ${layer === "lines" ? "strategy's lines" : "trades' markers"}`}
            onClick={() => toggle(layer)}
          >
            {layer === "lines" ? "Lines" : "Trades"}
          </button>
          )),
        ]}
        initialBars={500}
        debugName={import.meta.env.MODE === "e2e" ? "__runChart" : undefined}
        className="run-chart"
        testId="run-price-chart"
      />
      {editing && <ParamsEditor run={run} onClose={() => setEditing(false)} />}
    </div>
  );
}

const LAYERS = ["lines", "trades"] as const;
type Layer = (typeof LAYERS)[number];

/** Layers switched off, kept in the URL (`?hide=lines,trades`) so that a link shows the same. */
function useHiddenLayers(): [Set<Layer>, (layer: Layer) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get("hide") ?? "";
  const hidden = useMemo(() => new Set(raw.split(",").filter((v): v is Layer => (LAYERS as readonly string[]).includes(v))), [raw]);
  const toggle = (layer: Layer) => {
    const next = new Set(hidden);
    if (next.has(layer)) next.delete(layer);
    else next.add(layer);
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        if (next.size) updated.set("hide", [...next].join(","));
        else updated.delete("hide");
        return updated;
      },
      { replace: true },
    );
  };
  return [hidden, toggle];
}

function TradeTooltip({ info }: { info: TradeMarkerInfo }) {
  const { trade, kind } = info;
  const long = trade.side === "long";
  return (
    <>
      <div className={long ? "up" : "down"}>
        <strong>
          {long ? "LONG" : "SHORT"} {kind}
        </strong>{" "}
        · trade #{trade.number + 1}
      </div>
      {kind === "entry" ? (
        <div className="marker-tooltip__row">
          {formatEpoch(trade.entry_time, true)} at <b>{formatPrice(trade.entry_price)}</b>
        </div>
      ) : (
        <>
          <div className="marker-tooltip__row">
            {formatEpoch(trade.exit_time, true)} at <b>{formatPrice(trade.exit_price)}</b> · reason <b>{trade.exit_reason}</b>
          </div>
          <div className="marker-tooltip__row">
            PnL <b className={trade.pnl >= 0 ? "up" : "down"}>{formatKpi(trade.pnl, "money")}</b> ({formatKpi(trade.return_fraction, "percent")})
          </div>
        </>
      )}
    </>
  );
}
