import { COLORS } from "@/config/chart-theme";
import type { StrategyRun } from "@/lib/api-types";
import { useMemo } from "react";
import { formatChange, legendAt } from "@/components/price-chart";
import { formatPrice, formatVolume } from "@/lib/format";
import { formatUtc } from "@/lib/time";
import { countAtOrBefore } from "../model/cursor";
import { lineValueAt, type EntryMarker, type LineKey, type PlaybackSeriesData } from "../model/series-data";

export function lineLabels(run: StrategyRun): Record<LineKey, string> {
  return {
    sma: `SMA ${run.params.sma_period} (${run.timeframe})`,
    hma1h: `HMA ${run.params.hma_period} 1h`,
    hma4h: `HMA ${run.params.hma_period} 4h`,
    baseSma: `SMA ${run.params.sma_period} (${run.base_timeframe}, the signals')`,
  };
}

/** The lines this run has (hma-sma's three; another strategy's run has none of them). */
export function presentLines(run: StrategyRun, baseSmaShown = false): LineKey[] {
  const present: Record<LineKey, boolean> = {
    sma: run.sma !== undefined,
    hma1h: run.hma?.["1h"] !== undefined,
    hma4h: run.hma?.["4h"] !== undefined,
    baseSma: baseSmaShown,
  };
  return (Object.keys(present) as LineKey[]).filter((key) => present[key]);
}

const LINE_COLORS: Record<LineKey, string> = { sma: COLORS.sma, hma1h: COLORS.hma1h, hma4h: COLORS.hma4h, baseSma: COLORS.baseSma };

/** Values at the crosshair (or at the cursor when the mouse is off the chart), over the chart's top-left corner. */
export function ChartLegend({ run, data, index }: { run: StrategyRun; data: PlaybackSeriesData; index: number }) {
  const candle = data.candles[index];
  const time = data.times[index];
  const labels = lineLabels(run);
  const change = useMemo(() => legendAt(candleColumnsAround(run, index), Math.min(index, 1)), [run, index]);
  return (
    <div className="legend" data-testid="chart-legend">
      <div className="legend__title">
        <strong>{run.symbol}</strong> <span className="muted">{run.timeframe}</span>
        {time !== undefined && <span className="muted"> · {formatUtc(time)}</span>}
      </div>
      {candle && (
        <div className="legend__ohlc">
          <span>O <b>{formatPrice(candle.open)}</b></span>
          <span>H <b>{formatPrice(candle.high)}</b></span>
          <span>L <b>{formatPrice(candle.low)}</b></span>
          <span>C <b className={candle.close >= candle.open ? "up" : "down"}>{formatPrice(candle.close)}</b></span>
          {change && (
            <span data-testid="legend-change">
              <b className={change.changePercent >= 0 ? "up" : "down"}>{formatChange(change.changePercent)}</b>
            </span>
          )}
          {change?.volume !== null && change?.volume !== undefined && (
            <span data-testid="legend-volume">
              Vol <b>{formatVolume(change.volume)}</b>
            </span>
          )}
        </div>
      )}
      <div className="legend__lines">
        {presentLines(run, data.baseSmaShown).map((key) => (
          <span key={key} data-testid={`legend-${key}`}>
            <i className="swatch" style={{ background: LINE_COLORS[key] }} />
            {labels[key]} <b>{formatPrice(lineValueAt(data.lines[key], index))}</b>
          </span>
        ))}
      </div>
      <div className="legend__entries">
        {time !== undefined && <EntriesAt markers={markersAt(data, time)} />}
      </div>
    </div>
  );
}

/** The candle at `index` and the one before (the change is from the previous close), as columns. */
function candleColumnsAround(run: StrategyRun, index: number) {
  const rows = run.candles.slice(Math.max(0, index - 1), index + 1);
  return {
    time: rows.map((c) => c.time),
    open: rows.map((c) => c.open),
    high: rows.map((c) => c.high),
    low: rows.map((c) => c.low),
    close: rows.map((c) => c.close),
    volume: rows.map((c) => c.volume),
  };
}

function markersAt(data: PlaybackSeriesData, time: number): EntryMarker[] {
  return data.markers.slice(countAtOrBefore(data.markerTimes, time - 1), countAtOrBefore(data.markerTimes, time));
}

/** Entries in the legend's candle, or the key to the arrows when there are none. */
function EntriesAt({ markers }: { markers: EntryMarker[] }) {
  if (markers.length === 0) {
    return (
      <span>
        <span className="up">▲</span> long entry <span className="down">▼</span> short entry
      </span>
    );
  }
  return (
    <span>
      {markers.map((m) => (
        <span key={m.id} className={m.side === "long" ? "up" : "down"}>
          {m.side === "long" ? "▲" : "▼"} {m.entries.length} {m.side} {m.entries.length > 1 ? "entries" : "entry"}{" "}
        </span>
      ))}
      <span>here · hover an arrow for the 5m bar</span>
    </span>
  );
}
