import type { ReactNode } from "react";
import type { StrategyRun } from "@/lib/api-types";
import { formatPrice, formatVolume } from "@/lib/format";
import { formatUtc } from "@/lib/time";
import { countAtOrBefore } from "../model/cursor";
import { lineValueAt, type PlaybackSeriesData } from "../model/series-data";
import { lineLabels } from "./ChartLegend";

const RECENT_ENTRIES_SHOWN = 5;

/** Everything known at the cursor candle's close, plus the strategy's verdict at the last loaded
 * candle once the replay is there (before, it would tell the future: no spoilers). */
export function CursorPanel({ run, data, cursor, atEnd }: { run: StrategyRun; data: PlaybackSeriesData; cursor: number; atEnd: boolean }) {
  const candle = run.candles[cursor];
  const setup = run.timeline[cursor];
  const labels = lineLabels(run);
  if (!candle) {
    return (
      <aside className="panel" data-testid="side-panel">
        <p className="muted">No candle at the cursor.</p>
      </aside>
    );
  }
  const entryCount = countAtOrBefore(data.entryTimes, candle.time);
  const recentEntries = data.entries.slice(Math.max(0, entryCount - RECENT_ENTRIES_SHOWN), entryCount).reverse();
  return (
    <aside className="panel" data-testid="side-panel">
      <section>
        <h2>Cursor candle</h2>
        <dl className="fields">
          <Field label="Time (UTC)" testId="panel-time">{formatUtc(candle.time, { suffix: false })}</Field>
          <Field label="Open" testId="panel-open">{formatPrice(candle.open)}</Field>
          <Field label="High" testId="panel-high">{formatPrice(candle.high)}</Field>
          <Field label="Low" testId="panel-low">{formatPrice(candle.low)}</Field>
          <Field label="Close" testId="panel-close">{formatPrice(candle.close)}</Field>
          <Field label="Volume" testId="panel-volume">{formatVolume(candle.volume)}</Field>
        </dl>
      </section>
      <section>
        <h2>Indicators</h2>
        <dl className="fields">
          <Field label={labels.sma} testId="panel-sma">{formatPrice(lineValueAt(data.lines.sma, cursor))}</Field>
          <Field label={labels.hma1h} testId="panel-hma-1h">{formatPrice(lineValueAt(data.lines.hma1h, cursor))}</Field>
          <Field label={labels.hma4h} testId="panel-hma-4h">{formatPrice(lineValueAt(data.lines.hma4h, cursor))}</Field>
          {data.baseSmaShown && (
            <Field label={labels.baseSma} testId="panel-base-sma">
              {formatPrice(lineValueAt(data.lines.baseSma, cursor))}
            </Field>
          )}
        </dl>
      </section>
      <section>
        <h2>Setup at this close</h2>
        <div className="flags">
          <Flag label="Long" active={setup?.long ?? false} testId="long-active" tone="up" />
          <Flag label="Short" active={setup?.short ?? false} testId="short-active" tone="down" />
        </div>
      </section>
      <section>
        <h2>
          Entries so far <span className="count" data-testid="entries-count">{entryCount}</span>
        </h2>
        {recentEntries.length === 0 ? (
          <p className="muted small">None up to this candle.</p>
        ) : (
          <ol className="entries" data-testid="entries-list">
            {recentEntries.map((entry) => (
              <li key={`${entry.side}-${entry.bar_time}`}>
                <span className={`tag tag--${entry.side}`}>{entry.side === "long" ? "LONG" : "SHORT"}</span>
                <span className="entries__time" title="Open time of the 5m bar whose close gave the signal">
                  {formatUtc(entry.bar_time, { suffix: false })}
                </span>
                <b>{formatPrice(entry.price)}</b>
              </li>
            ))}
          </ol>
        )}
      </section>
      {atEnd && (
        <section data-testid="last-candle-verdict">
          <h2>At the last loaded candle</h2>
          <p className="muted small">{formatUtc(run.candles[run.candles.length - 1]?.time ?? candle.time)}</p>
          <div className="flags">
            <Flag label="Enter long" active={run.should_enter_long} testId="should-enter-long" tone="up" />
            <Flag label="Enter short" active={run.should_enter_short} testId="should-enter-short" tone="down" />
          </div>
        </section>
      )}
    </aside>
  );
}

function Field({ label, testId, children }: { label: string; testId: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

function Flag({ label, active, testId, tone }: { label: string; active: boolean; testId: string; tone: "up" | "down" }) {
  return (
    <span className={`flag ${active ? `flag--on flag--${tone}` : ""}`} data-testid={testId} data-active={String(active)}>
      {label}: {active ? "yes" : "no"}
    </span>
  );
}
