import { useState } from "react";
import { ApiErrorMessage } from "@/components/ApiErrorMessage";
import { Field } from "@/components/Field";
import { Spinner } from "@/components/Spinner";
import { StrategyRunChart, useStrategyRun } from "@/features/playback";
import type { PreviewSlotProps } from "@/features/strategies";
import { findSymbolRef, pickTimeframe, SymbolSelect, TimeframeSelect, useSymbols, type SymbolRef } from "@/features/symbols";
import { isTimeframe, type Timeframe } from "@/lib/api-types";
import { formatUtc } from "@/lib/time";

const CANDLE_COUNTS = [500, 1000, 2000, 5000] as const;
const DEFAULT_COUNT = 1000;
const PREFERRED_SYMBOL = "BTCUSDT";

/**
 * The saved version's entries on the replay's chart (playback feature), over a symbol from the
 * stored ones (symbols feature) and the latest candles: GET /api/strategies/<key>/run/.
 */
export function StrategyPreview({ strategyKey, baseTimeframe }: PreviewSlotProps) {
  const symbols = useSymbols();
  const base: Timeframe = isTimeframe(baseTimeframe) ? baseTimeframe : "1h";
  const [chosenSymbol, setSymbol] = useState<SymbolRef | null>(null);
  const [chosenTimeframe, setTimeframe] = useState<Timeframe | null>(null);
  const [limit, setLimit] = useState<number>(DEFAULT_COUNT);
  const withBase = symbols.data?.filter((s) => s.timeframes.some((t) => t.timeframe === base && t.count > 0)) ?? [];
  const preferred = withBase.find((s) => s.name === PREFERRED_SYMBOL) ?? withBase[0] ?? symbols.data?.[0];
  const symbolRef: SymbolRef | null = chosenSymbol ?? (preferred ? { name: preferred.name, exchange: preferred.exchange } : null);
  const symbolName = symbolRef?.name ?? null;
  const symbol = findSymbolRef(symbols.data, symbolRef);
  const timeframe = chosenTimeframe ?? pickTimeframe(symbol, base);
  const run = useStrategyRun(symbolName ? { symbol: symbolName, exchange: symbolRef?.exchange, timeframe, limit } : null, strategyKey);
  // Another version's run kept on screen while this one loads would show the wrong entries.
  const shown = run.data && (!run.isPlaceholderData || run.data.strategy === strategyKey) ? run.data : undefined;
  const entries = shown?.entries ?? [];
  const longs = entries.filter((e) => e.side === "long").length;
  const lastEntry = entries.reduce<number | null>((last, e) => (last === null || e.bar_time > last ? e.bar_time : last), null);

  return (
    <div className="strategy-preview__body" data-testid="strategy-preview" data-key={strategyKey} data-ready={String(Boolean(shown) && !run.isFetching)}>
      <div className="strategy-preview__bar">
        <Field label="Symbol">
          <SymbolSelect symbols={symbols.data} value={symbolRef} onChange={setSymbol} disabled={!symbolName} />
        </Field>
        <Field label="Timeframe shown">
          <TimeframeSelect symbol={symbol} value={timeframe} onChange={setTimeframe} />
        </Field>
        <Field label="Latest candles">
          <select data-testid="preview-limit" value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
            {CANDLE_COUNTS.map((count) => (
              <option key={count} value={count}>
                {count.toLocaleString("en-US")}
              </option>
            ))}
          </select>
        </Field>
        {run.isFetching && <Spinner label={`Running ${strategyKey} on ${symbolName ?? ""} ${timeframe}…`} />}
      </div>
      {timeframe !== base && (
        <p className="muted small">The strategy decides on {base} candles; its entries are drawn on the {timeframe} candle that holds them.</p>
      )}
      {symbols.error && <ApiErrorMessage error={symbols.error} context={{}} />}
      {run.error && <ApiErrorMessage error={run.error} context={{ symbol: symbolName ?? undefined, timeframe }} />}
      {shown && (
        <>
          <p className="strategy-preview__summary" data-testid="preview-entries" data-count={entries.length}>
            {entries.length === 0
              ? `No entry in these ${shown.candles.length.toLocaleString("en-US")} candles.`
              : `${entries.length} ${entries.length === 1 ? "entry" : "entries"} (${longs} long, ${entries.length - longs} short) in the last ${shown.candles.length.toLocaleString("en-US")} ${shown.timeframe} candles of ${shown.symbol}; the latest at ${formatUtc(lastEntry!)}.`}
            {!shown.warmup_complete && <span className="strategies-warn"> Not enough history before the first candle: early values may be missing.</span>}
          </p>
          <div className="strategy-preview__chart">
            <StrategyRunChart run={shown} />
          </div>
        </>
      )}
      {!shown && !run.error && !symbols.error && symbols.data?.length === 0 && <p className="muted">No candles are stored yet.</p>}
    </div>
  );
}
