import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  LineSeries,
  PriceScaleMode,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type MouseEventParams,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useRef, useState, type ReactNode } from "react";
import "../chip.css";
import "./price-chart.css";
import { CHART_OPTIONS, COLORS } from "@/config/chart-theme";
import { candleData, indexAtOrBefore, lineColor, lineData, volumeData, type CandleColumns, type PriceLine } from "./model/columns";
import { tooltipPosition } from "./model/tooltip";
import type { LogicalRange } from "./model/zoom";
import { PriceLegend } from "./PriceLegend";
import { createPriceChartDebug, type PriceChartDebugName } from "./debug";

export interface PriceChartProps {
  /** Legend title, e.g. "BTCUSDT 5m". */
  title: string;
  candles: CandleColumns;
  lines?: readonly PriceLine[];
  markers?: readonly SeriesMarker<UTCTimestamp>[];
  /** The tooltip of the marker under the mouse (null: none). */
  markerTooltip?: (markerId: string) => ReactNode;
  /** Show these bars (e.g. a trade picked in a table); a new object each request. */
  focus?: LogicalRange | null;
  /** Newest bars shown when data first arrives. */
  initialBars?: number;
  /** More buttons beside the log-scale toggle. */
  tools?: ReactNode;
  /** Select-bar mode: a click on the chart gives the open time of the candle under it. */
  onBarClick?: (time: number) => void;
  /** Called on the animation frame after the chart drew new data (performance marks). */
  onDrawn?: () => void;
  /** The e2e build's window handle of this chart. */
  debugName?: PriceChartDebugName;
  className?: string;
  testId?: string;
}

export interface PriceChartHandles {
  chart: IChartApi;
  candles: ISeriesApi<"Candlestick">;
  volume: ISeriesApi<"Histogram">;
  markers: ISeriesMarkersPluginApi<Time>;
  lines: Map<string, ISeriesApi<"Line">>;
}

interface Hover {
  index: number | null;
  markerId: string | null;
  x: number;
  y: number;
}

const VOLUME_PANE_HEIGHT = 80; // px under the candles
const RIGHT_OFFSET = CHART_OPTIONS.timeScale?.rightOffset ?? 0;
let chartsCreated = 0; // e2e: a live page must never rebuild its chart

/**
 * The platform's candle chart (a backtest run, a bot): candles, a volume pane, the strategy's
 * lines, markers with tooltips, a legend at the crosshair and a log-scale toggle. Created once;
 * new data is set on the same series (the bot page appends candles live).
 */
export function PriceChart(props: PriceChartProps) {
  const { candles, lines, markers, focus, initialBars = 300, debugName, onDrawn, onBarClick } = props;
  const containerRef = useRef<HTMLDivElement | null>(null);
  const [handles, setHandles] = useState<PriceChartHandles | null>(null);
  const [logScale, setLogScale] = useState(false);
  const [hover, setHover] = useState<Hover>({ index: null, markerId: null, x: 0, y: 0 });
  const shownFirstTime = useRef<number | null>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = createChart(container, CHART_OPTIONS);
    chartsCreated += 1;
    const candleSeries = chart.addSeries(CandlestickSeries, {
      upColor: COLORS.candleUp,
      downColor: COLORS.candleDown,
      borderVisible: false,
      wickUpColor: COLORS.candleUp,
      wickDownColor: COLORS.candleDown,
    });
    const volume = chart.addSeries(HistogramSeries, { priceFormat: { type: "volume" }, priceLineVisible: false, lastValueVisible: false }, 1);
    chart.panes()[1]?.setHeight(VOLUME_PANE_HEIGHT);
    const created: PriceChartHandles = { chart, candles: candleSeries, volume, markers: createSeriesMarkers(candleSeries, []), lines: new Map() };
    const debug = createPriceChartDebug(created, () => chartsCreated);
    // The e2e tests' view of the chart: test builds only (vite --mode e2e), never shipped.
    if (import.meta.env.MODE === "e2e" && debugName) window[debugName] = debug;
    setHandles(created);
    return () => {
      if (import.meta.env.MODE === "e2e" && debugName && window[debugName] === debug) delete window[debugName];
      chart.remove();
      setHandles(null);
    };
  }, [debugName]);

  // Candles and volume: setData (cheap next to drawing). A new data set opens on its newest bars;
  // new candles of the same one (a live bot) keep the view: following the newest bar if it was.
  useEffect(() => {
    if (!handles) return;
    const timeScale = handles.chart.timeScale();
    const before = shownFirstTime.current === null ? null : timeScale.getVisibleRange();
    const following = before !== null && (timeScale.getVisibleLogicalRange()?.to ?? 0) >= handles.candles.data().length - 1;
    handles.candles.setData(candleData(candles));
    const bars = volumeData(candles);
    handles.volume.setData(bars);
    handles.chart.panes()[1]?.setHeight(bars.length ? VOLUME_PANE_HEIGHT : 0);
    const count = candles.time.length;
    const first = candles.time[0] ?? null;
    const sameSet = before !== null && first !== null && (candles.time[count - 1] ?? 0) >= (before.to as number);
    if (!sameSet && count) timeScale.setVisibleLogicalRange({ from: count - Math.min(count, initialBars), to: count + RIGHT_OFFSET });
    else if (following) timeScale.scrollToRealTime();
    else if (before) timeScale.setVisibleRange(before);
    shownFirstTime.current = first;
  }, [handles, candles, initialBars]);

  useEffect(() => {
    if (!handles) return;
    const names = new Set((lines ?? []).map((l) => l.name));
    for (const [name, series] of handles.lines) {
      if (!names.has(name)) {
        handles.chart.removeSeries(series);
        handles.lines.delete(name);
      }
    }
    (lines ?? []).forEach((line, i) => {
      let series = handles.lines.get(line.name);
      if (!series) {
        series = handles.chart.addSeries(LineSeries, { color: lineColor(line.name, i), lineWidth: 2, priceLineVisible: false, lastValueVisible: false, crosshairMarkerRadius: 3 });
        handles.lines.set(line.name, series);
      }
      series.setData(lineData(candles.time, line.values));
    });
  }, [handles, candles, lines]);

  useEffect(() => {
    handles?.markers.setMarkers((markers ?? []) as SeriesMarker<Time>[]);
  }, [handles, markers]);

  useEffect(() => {
    if (!handles || !onDrawn) return;
    // The chart draws on its next animation frame; a frame requested now runs right after it.
    const frame = requestAnimationFrame(onDrawn);
    return () => cancelAnimationFrame(frame);
  }, [handles, candles, lines, markers, onDrawn]);

  useEffect(() => {
    if (handles && focus) handles.chart.timeScale().setVisibleLogicalRange(focus);
  }, [handles, focus]);

  useEffect(() => {
    handles?.chart.priceScale("right").applyOptions({ mode: logScale ? PriceScaleMode.Logarithmic : PriceScaleMode.Normal });
  }, [handles, logScale]);

  useEffect(() => {
    if (!handles) return;
    const onMove = (param: MouseEventParams<Time>) => {
      if (param.time === undefined || !param.point) setHover({ index: null, markerId: null, x: 0, y: 0 });
      else
        setHover({
          index: indexAtOrBefore(candles.time, param.time as number),
          markerId: typeof param.hoveredObjectId === "string" ? param.hoveredObjectId : null,
          x: param.point.x,
          y: param.point.y,
        });
    };
    handles.chart.subscribeCrosshairMove(onMove);
    return () => handles.chart.unsubscribeCrosshairMove(onMove);
  }, [handles, candles]);

  useEffect(() => {
    if (!handles || !onBarClick) return;
    const onClick = (param: MouseEventParams<Time>) => {
      if (param.time !== undefined) onBarClick(param.time as number);
    };
    handles.chart.subscribeClick(onClick);
    return () => handles.chart.unsubscribeClick(onClick);
  }, [handles, onBarClick]);

  const legendIndex = hover.index ?? candles.time.length - 1;
  const tooltip = hover.markerId && props.markerTooltip ? props.markerTooltip(hover.markerId) : null;
  return (
    <div className={`price-chart ${props.className ?? ""}`} data-testid={props.testId ?? "price-chart"} data-candles={candles.time.length}>
      <div className="price-chart__tools">
        <button
          type="button"
          className={`chip${logScale ? " chip--on" : ""}`}
          aria-pressed={logScale}
          data-testid="log-scale-toggle"
          title="Logarithmic price scale: equal distances are equal percentage moves"
          onClick={() => setLogScale((on) => !on)}
        >
          Log
        </button>
        {props.tools}
      </div>
      <div className={`chart${onBarClick ? " chart--select-bar" : ""}`}>
        <div ref={containerRef} className="chart__canvas" />
        <PriceLegend title={props.title} candles={candles} lines={lines ?? []} index={legendIndex} />
        {tooltip && (
          <div className="marker-tooltip" style={tooltipPosition(hover.x, hover.y, containerRef.current?.clientWidth ?? 0)} data-testid="marker-tooltip">
            {tooltip}
          </div>
        )}
      </div>
    </div>
  );
}
