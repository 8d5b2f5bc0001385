import { parseUtc } from "@/lib/time";
import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type MouseEventParams,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useMemo, useRef, useState } from "react";
import { CHART_OPTIONS, COLORS } from "@/config/chart-theme";
import { tooltipPosition } from "@/components/price-chart";
import { formatPrice } from "@/lib/format";
import { formatKpi } from "../model/kpi-format";
import type { BacktestRun } from "../api/types";
import { closeReason, SPEED_CHOICES, speedMessage, type ReplayCandle, type ReplayMarker, type ReplaySpeed } from "../model/replay";
import { useReplay, type ReplaySink, type ReplayStreamStats } from "../hooks/use-replay";
import { formatEpoch } from "./time";
import { CLOSE_UNAUTHENTICATED } from "@/lib/realtime-protocol";

/** Read by the e2e tests. */
export interface ReplayChartDebug {
  candles: () => number;
  markers: () => number;
  /** Time of the last candle on the chart (epoch s), null when empty. */
  lastTime: () => number | null;
  /** Candles received over every connection: each once, in order (duplicates = gaps = 0). */
  stream: () => ReplayStreamStats;
  /** Where a (time, price) is drawn, in px from the chart's top-left corner (null off screen). */
  pointOf: (time: number, price: number) => { x: number; y: number } | null;
}

declare global {
  interface Window {
    __replayChart?: ReplayChartDebug;
  }
}

interface Handles {
  chart: IChartApi;
  series: ISeriesApi<"Candlestick">;
  markers: ISeriesMarkersPluginApi<Time>;
}

const toBar = (c: ReplayCandle) => ({ time: c.time as UTCTimestamp, open: c.open, high: c.high, low: c.low, close: c.close });

const markerKey = (m: ReplayMarker) => `${m.kind}-${m.trade}`;

// No text on the chart (labels of neighbouring trades pile up): hovering a marker names it.
const toMarker = (m: ReplayMarker): SeriesMarker<Time> => {
  const up = m.side === "long";
  if (m.kind === "entry")
    return {
      id: markerKey(m),
      time: m.time as UTCTimestamp,
      position: up ? "belowBar" : "aboveBar",
      shape: up ? "arrowUp" : "arrowDown",
      color: up ? COLORS.candleUp : COLORS.candleDown,
    };
  return { id: markerKey(m), time: m.time as UTCTimestamp, position: up ? "aboveBar" : "belowBar", shape: "circle", color: COLORS.sma };
};

const APPEND_ONE_BY_ONE = 8; // bars per frame up to which update() beats a setData
const LIVE_BARS = 2_000; // bars on the chart while many arrive per frame

const speedLabel = (s: ReplaySpeed | null) => (s === null ? "–" : s === "max" ? "max" : `${s}/s`);

/** "2024-02-20 00:00": the seek input's 24-hour ISO UTC text (it also takes a "T"). */
const toLocalInput = (epoch: number) => new Date(epoch * 1000).toISOString().slice(0, 16).replace("T", " ");

/** `startTime`: replay from the candle opening then (picked on the run's chart), else from the first. */
export function ReplayPanel({ run, startTime = null, onClose }: { run: BacktestRun; startTime?: number | null; onClose: () => void }) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const sectionRef = useRef<HTMLElement | null>(null);
  const [chartApi, setChartApi] = useState<IChartApi | null>(null);
  const handlesRef = useRef<Handles | null>(null);
  const statsRef = useRef<{ current: ReplayStreamStats }>({ current: { received: 0, duplicates: 0, gaps: 0, reconnects: 0 } });

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = createChart(container, CHART_OPTIONS);
    const series = chart.addSeries(CandlestickSeries, {
      upColor: COLORS.candleUp,
      downColor: COLORS.candleDown,
      borderVisible: false,
      wickUpColor: COLORS.candleUp,
      wickDownColor: COLORS.candleDown,
    });
    const markers = createSeriesMarkers(series, []);
    handlesRef.current = { chart, series, markers };
    setChartApi(chart);
    const debug: ReplayChartDebug = {
      candles: () => series.data().length,
      markers: () => markers.markers().length,
      lastTime: () => {
        const data = series.data();
        const last = data[data.length - 1];
        return last ? (last.time as number) : null;
      },
      stream: () => ({ ...statsRef.current.current }),
      pointOf: (time, price) => {
        const x = chart.timeScale().timeToCoordinate(time as UTCTimestamp);
        const y = series.priceToCoordinate(price);
        return x === null || y === null ? null : { x, y };
      },
    };
    if (import.meta.env.MODE === "e2e") window.__replayChart = debug; // test builds only
    return () => {
      if (import.meta.env.MODE === "e2e" && window.__replayChart === debug) delete window.__replayChart;
      handlesRef.current = null;
      setChartApi(null);
      chart.remove();
    };
  }, []);

  const sink = useMemo<ReplaySink>(
    () => ({
      // Lightweight Charts' update() rebuilds the series' rows, so it costs as much per bar as a
      // setData: a frame adds its bars in one call, and while playing fast the chart holds the
      // last LIVE_BARS only (the whole history comes back on pause, seek and at the end).
      append: (added, all) => {
        const series = handlesRef.current?.series;
        if (!series) return;
        if (added.length <= APPEND_ONE_BY_ONE) for (const c of added) series.update(toBar(c));
        else series.setData(all.slice(-LIVE_BARS).map(toBar));
      },
      reset: (candles) => handlesRef.current?.series.setData(candles.map(toBar)),
      markers: (list) => handlesRef.current?.markers.setMarkers(list.map(toMarker)),
    }),
    [],
  );
  const { state, send, stats } = useReplay(run.id, sink);
  statsRef.current = stats;
  const [seekTime, setSeekTime] = useState(() => toLocalInput(startTime ?? run.start));
  const [seekInvalid, setSeekInvalid] = useState(false);
  const open = state.connection === "open";

  // A chosen start (the stream starts at the first bar): paused there, as after TradingView's
  // select bar, once the socket is open. The seek goes to the first candle opening after the
  // chosen one's open, so the chart shows up to and including the chosen candle.
  const startSent = useRef(startTime === null);
  useEffect(() => {
    if (!open || startSent.current || startTime === null) return;
    startSent.current = true;
    send({ action: "pause" });
    send({ action: "seek", time: startTime + 1 });
  }, [open, startTime, send]);
  useEffect(() => {
    sectionRef.current?.scrollIntoView?.({ block: "nearest" });
  }, []);
  useReplayKeys(open, state.total, send);
  const hovered = useHoveredMarker(chartApi, state.markers);
  const lost = state.connection === "reconnecting";
  const problem = state.connection === "closed" ? closeReason(state.closeCode, state.closeReason) : null;
  const phase = state.ended ? "end" : state.paused ? "paused" : open ? "playing" : state.connection;

  const seek = () => {
    const time = parseUtc(seekTime.trim().replace(" ", "T"));
    setSeekInvalid(time === null);
    if (time !== null) send({ action: "seek", time });
  };

  return (
    <section
      ref={sectionRef}
      className="bt-replay"
      data-testid="replay-panel"
      data-connection={state.connection}
      data-phase={phase}
      data-candles={state.candles}
      data-index={state.index}
      data-total={state.total ?? ""}
      data-markers={state.markers.length}
      data-speed={state.speed ?? ""}
      data-close-code={state.closeCode ?? ""}
    >
      <header className="bt-replay__bar">
        <strong>Replay</strong>
        <span className="bt-pill" data-testid="replay-phase">
          {phase}
        </span>
        <span className="small" data-testid="replay-progress">
          {state.index}/{state.total ?? "?"} candles
        </span>
        <span className="small" data-testid="replay-time" data-time={state.lastTime ?? ""}>
          {state.lastTime !== null ? formatEpoch(state.lastTime, true) : ""}
        </span>
        <span className="small">
          equity <b data-testid="replay-equity">{state.equity !== null ? formatKpi(state.equity, "money") : "–"}</b>
        </span>
        <span className="small">{state.markers.length} markers</span>
        <span className="bt-replay__controls">
          {state.paused ? (
            <button type="button" data-testid="replay-resume" disabled={!open} onClick={() => send({ action: "resume" })}>
              Resume
            </button>
          ) : (
            <button type="button" data-testid="replay-pause" disabled={!open || state.ended} onClick={() => send({ action: "pause" })}>
              Pause
            </button>
          )}
          <label className="small">
            speed{" "}
            <select
              data-testid="replay-speed"
              disabled={!open}
              value={state.speed === null ? "" : String(state.speed)}
              onChange={(e) => send(speedMessage(e.target.value === "max" ? "max" : Number(e.target.value)))}
            >
              {state.speed !== null && !SPEED_CHOICES.includes(state.speed) && <option value={String(state.speed)}>{speedLabel(state.speed)}</option>}
              {SPEED_CHOICES.map((s) => (
                <option key={String(s)} value={String(s)}>
                  {speedLabel(s)}
                </option>
              ))}
            </select>
          </label>
          <input
            type="text"
            inputMode="numeric"
            spellCheck={false}
            placeholder="YYYY-MM-DD HH:MM"
            aria-label="Seek to (UTC, 24-hour)"
            aria-invalid={seekInvalid || undefined}
            title={`UTC, ${toLocalInput(run.start)} to ${toLocalInput(run.end)}`}
            data-testid="replay-seek-time"
            value={seekTime}
            onChange={(e) => setSeekTime(e.target.value)}
          />
          <button type="button" data-testid="replay-seek" disabled={!open} onClick={seek} title="Home / End: the first / last candle">
            Seek (UTC)
          </button>
          <button type="button" data-testid="replay-close" onClick={onClose}>
            Close
          </button>
        </span>
      </header>
      {state.error && (
        <div className="bt-error small" data-testid="replay-error">
          {state.error}
        </div>
      )}
      {lost && (
        <div className="bt-error small" role="status" data-testid="replay-banner">
          Connection lost ({closeReason(state.closeCode, state.closeReason) ?? "closed"}): reconnecting
          {state.retryInMs !== null ? ` in ${(state.retryInMs / 1000).toFixed(1)} s` : ""} (attempt {state.attempt}). The
          replay resumes where it was.
        </div>
      )}
      {problem && (
        <div className="bt-error small" data-testid="replay-closed">
          {problem}{" "}
          {state.closeCode === CLOSE_UNAUTHENTICATED && (
            <a href={`/login?next=${encodeURIComponent(window.location.pathname)}`}>Sign in again</a>
          )}
        </div>
      )}
      <div className="chart bt-replay__chart" data-testid="replay-chart">
        <div ref={containerRef} className="chart__canvas" />
        {hovered && (
          <div className="marker-tooltip" style={tooltipPosition(hovered.x, hovered.y, containerRef.current?.clientWidth ?? 0)} data-testid="replay-marker-tooltip">
            <div className={hovered.marker.side === "long" ? "up" : "down"}>
              <strong>
                {hovered.marker.side.toUpperCase()} {hovered.marker.kind}
              </strong>{" "}
              · trade #{hovered.marker.trade + 1}
            </div>
            <div className="marker-tooltip__row">
              {formatEpoch(hovered.marker.time, true)} at <b>{formatPrice(hovered.marker.price)}</b>
              {hovered.marker.reason && (
                <>
                  {" "}
                  · reason <b>{hovered.marker.reason}</b>
                </>
              )}
            </div>
          </div>
        )}
      </div>
    </section>
  );
}

/** The replay marker under the mouse (Lightweight Charts' hit test), with the mouse position. */
function useHoveredMarker(chart: IChartApi | null, markers: ReplayMarker[]) {
  const [hovered, setHovered] = useState<{ id: string; x: number; y: number } | null>(null);
  useEffect(() => {
    if (!chart) return;
    const onMove = (param: MouseEventParams<Time>) => {
      const id = typeof param.hoveredObjectId === "string" ? param.hoveredObjectId : null;
      setHovered(id && param.point ? { id, x: param.point.x, y: param.point.y } : null);
    };
    chart.subscribeCrosshairMove(onMove);
    return () => chart.unsubscribeCrosshairMove(onMove);
  }, [chart]);
  const marker = hovered ? markers.find((m) => markerKey(m) === hovered.id) : undefined;
  return marker && hovered ? { marker, x: hovered.x, y: hovered.y } : null;
}

/** Home / End: seek to the first / last candle (not while typing in a field). */
function useReplayKeys(open: boolean, total: number | null, send: ReturnType<typeof useReplay>["send"]) {
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
      const target = event.target;
      if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return;
      if (event.key === "Home") send({ action: "seek", index: 0 });
      else if (event.key === "End" && total !== null && total > 0) send({ action: "seek", index: total - 1 });
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open, total, send]);
}
