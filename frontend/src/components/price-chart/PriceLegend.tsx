import { formatPrice, formatVolume } from "@/lib/format";
import { formatUtc } from "@/lib/time";
import { lineColor, type CandleColumns, type PriceLine } from "./model/columns";
import { formatChange, legendAt } from "./model/legend";

/** Values at the crosshair (the newest candle when the mouse is off the chart). */
export function PriceLegend({ title, candles, lines, index }: { title: string; candles: CandleColumns; lines: readonly PriceLine[]; index: number }) {
  const at = legendAt(candles, index);
  return (
    <div className="legend" data-testid="price-legend">
      <div className="legend__title">
        <strong>{title}</strong>
        {at && <span className="muted"> · {formatUtc(at.time)}</span>}
      </div>
      {at && (
        <div className="legend__ohlc">
          <span>O <b>{formatPrice(at.open)}</b></span>
          <span>H <b>{formatPrice(at.high)}</b></span>
          <span>L <b>{formatPrice(at.low)}</b></span>
          <span>C <b className={at.close >= at.open ? "up" : "down"}>{formatPrice(at.close)}</b></span>
          <span data-testid="legend-change">
            <b className={at.changePercent >= 0 ? "up" : "down"}>{formatChange(at.changePercent)}</b>
          </span>
          {at.volume !== null && (
            <span data-testid="legend-volume">
              Vol <b>{formatVolume(at.volume)}</b>
            </span>
          )}
        </div>
      )}
      {lines.length > 0 && (
        <div className="legend__lines">
          {lines.map((line, i) => (
            <span key={line.name}>
              <i className="swatch" style={{ background: lineColor(line.name, i) }} />
              {line.name} <b>{formatPrice(line.values[index] ?? null)}</b>
            </span>
          ))}
        </div>
      )}
    </div>
  );
}
