import type { UTCTimestamp } from "lightweight-charts";
import { useMemo } from "react";
import { PriceChart } from "@/components/price-chart";
import { candleColumns, type FillInfo, type FillMarker, type LineData, type RunCandle } from "../model/chart-data";

/** The price chart of a bot: the platform's shared chart (as a backtest run's), created once per
 * page; new candles and fills update it in place. */
export function BotChart(props: { title: string; candles: RunCandle[]; lines: LineData[]; markers: FillMarker[]; fills: Map<string, FillInfo> }) {
  const { candles, lines, markers, fills } = props;
  const columns = useMemo(() => candleColumns(candles), [candles]);
  const chartMarkers = useMemo(() => markers.map((m) => ({ ...m, time: m.time as UTCTimestamp })), [markers]);
  const tooltip = (id: string) => {
    const fill = fills.get(id);
    if (!fill) return null;
    return (
      <div className={fill.side === "buy" ? "up" : "down"}>
        <strong>
          {fill.side} · {fill.leg}
        </strong>{" "}
        {fill.quantity} {fill.price !== null && `@ ${fill.price}`}
      </div>
    );
  };
  return (
    <PriceChart
      title={props.title}
      candles={columns}
      lines={lines}
      markers={chartMarkers}
      markerTooltip={tooltip}
      initialBars={120}
      debugName={import.meta.env.MODE === "e2e" ? "__botChart" : undefined}
      className="bot-chart"
      testId="bot-chart"
    />
  );
}
