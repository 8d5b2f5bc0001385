import { useCallback, useEffect, useRef } from "react";
import { AppHeader } from "@/app/AppHeader";
import { QueryBar, type WindowDraft } from "@/app/QueryBar";
import { ApiErrorMessage } from "@/components/ApiErrorMessage";
import { Banner, CommandLine } from "@/components/Banner";
import { DataSourceBadge } from "@/components/DataSourceBadge";
import { Spinner } from "@/components/Spinner";
import { DEFAULT_CANDLE_LIMIT, DEFAULT_SYMBOL_TIMEFRAME, MAX_CANDLE_LIMIT } from "@/config/api";
import { TIMEFRAME_SECONDS } from "@/config/timeframes";
import { PlaybackView, useStrategyRun, windowKeepingCursor, type StrategyRunParams } from "@/features/playback";
import { coverageOf, findSymbolRef, pickTimeframe, SymbolSelect, TimeframeSelect, useSymbols, type SymbolRef } from "@/features/symbols";
import type { Timeframe } from "@/lib/api-types";
import { parseUtc, toDateTimeInputValue } from "@/lib/time";
import { useUrlQuery } from "@/hooks/use-url-query";

const clampLimit = (limit: number) => Math.min(Math.max(Math.round(limit), 1), MAX_CANDLE_LIMIT);

export function App() {
  const [urlQuery, updateUrl] = useUrlQuery();
  const symbols = useSymbols();

  // Without a symbol in the URL, the first stored one; without a timeframe, 1h or the closest stored.
  // A URL naming no exchange asks the API for its default one (the URL is not rewritten: that
  // would load the run twice); picking a symbol puts its exchange in the URL.
  const first = symbols.data?.[0];
  const requested: SymbolRef | null = urlQuery.symbol
    ? { name: urlQuery.symbol, exchange: urlQuery.exchange }
    : first
      ? { name: first.name, exchange: first.exchange }
      : null;
  const symbolName = requested?.name ?? null;
  const timeframe: Timeframe = urlQuery.timeframe ?? pickTimeframe(findSymbolRef(symbols.data, requested), DEFAULT_SYMBOL_TIMEFRAME);
  const limit = clampLimit(urlQuery.limit ?? DEFAULT_CANDLE_LIMIT);
  const runParams: StrategyRunParams | null = symbolName
    ? { symbol: symbolName, exchange: requested?.exchange, timeframe, limit, start: urlQuery.start, end: urlQuery.end }
    : null;
  const run = useStrategyRun(runParams);
  // The symbol shown: the one the API answered for when the URL named no exchange.
  const symbolRef: SymbolRef | null =
    requested && !requested.exchange && run.data?.symbol === requested.name ? { name: requested.name, exchange: run.data.exchange } : requested;
  const symbol = findSymbolRef(symbols.data, symbolRef);

  // Write the defaults into the URL once known, so the address always reproduces the view.
  useEffect(() => {
    if (symbolName && (!urlQuery.symbol || !urlQuery.timeframe)) updateUrl({ symbol: symbolName, exchange: requested?.exchange, timeframe });
  }, [symbolName, requested?.exchange, timeframe, urlQuery.symbol, urlQuery.timeframe, updateUrl]);

  // The cursor moves every frame while playing: keep it in a ref, and in the URL once it settles.
  const cursorTimeRef = useRef<number | null>(urlQuery.t ?? null);
  const onCursorChange = useCallback(
    (time: number, playing: boolean) => {
      cursorTimeRef.current = time;
      if (!playing) updateUrl({ t: time });
    },
    [updateUrl],
  );

  const changeTimeframe = (next: Timeframe) => {
    const cursorTime = cursorTimeRef.current;
    const requested = { start: parseUtc(urlQuery.start ?? ""), end: parseUtc(urlQuery.end ?? "") };
    const kept =
      cursorTime === null
        ? requested
        : windowKeepingCursor({
            window: requested,
            cursorTime,
            limit,
            candleSeconds: TIMEFRAME_SECONDS[next],
            latestStored: coverageOf(symbol, next)?.last ?? null,
          });
    const windowPatch =
      kept === requested
        ? {}
        : { start: kept.start === null ? undefined : toDateTimeInputValue(kept.start), end: kept.end === null ? undefined : toDateTimeInputValue(kept.end) };
    updateUrl({ timeframe: next, ...windowPatch, t: cursorTime ?? undefined });
  };

  const changeSymbol = (next: SymbolRef) => {
    updateUrl({ symbol: next.name, exchange: next.exchange, timeframe: pickTimeframe(findSymbolRef(symbols.data, next), timeframe) });
  };

  const reload = (draft: WindowDraft) => {
    const patch = {
      start: draft.start || undefined,
      end: draft.end || undefined,
      limit: draft.limit ? clampLimit(Number(draft.limit)) : undefined,
    };
    const unchanged = patch.start === urlQuery.start && patch.end === urlQuery.end && (patch.limit ?? DEFAULT_CANDLE_LIMIT) === limit;
    updateUrl(patch);
    if (unchanged) {
      void symbols.refetch();
      void run.refetch();
    }
  };

  const badgeSource = run.data ?? symbol;
  return (
    <div className="app">
      <AppHeader>
        {run.isFetching && <Spinner label={`Loading ${symbolName ?? ""} ${timeframe}…`} />}
        {badgeSource && <DataSourceBadge exchange={badgeSource.exchange} simulated={badgeSource.simulated} />}
      </AppHeader>
      <QueryBar
        symbolSelect={<SymbolSelect symbols={symbols.data} value={symbolRef} onChange={changeSymbol} disabled={!symbolName} />}
        timeframeSelect={<TimeframeSelect symbol={symbol} value={timeframe} onChange={changeTimeframe} />}
        start={urlQuery.start}
        end={urlQuery.end}
        limit={limit}
        stored={coverageOf(symbol, timeframe)}
        onSubmit={reload}
        busy={run.isFetching}
      />
      <main className="app-main">
        <MainContent
          symbolsState={{ isPending: symbols.isPending, error: symbols.error, empty: symbols.data?.length === 0 }}
          symbolName={symbolName}
          timeframe={timeframe}
          run={run}
          initialCursorTime={urlQuery.t ?? null}
          onCursorChange={onCursorChange}
        />
      </main>
    </div>
  );
}

function MainContent(props: {
  symbolsState: { isPending: boolean; error: unknown; empty: boolean };
  symbolName: string | null;
  timeframe: Timeframe;
  run: ReturnType<typeof useStrategyRun>;
  initialCursorTime: number | null;
  onCursorChange: (time: number, playing: boolean) => void;
}) {
  const { symbolsState, symbolName, timeframe, run } = props;
  const context = { symbol: symbolName ?? undefined, timeframe };
  if (!symbolName) {
    if (symbolsState.error) return <ApiErrorMessage error={symbolsState.error} context={context} />;
    if (symbolsState.empty) return <NoSymbolsMessage />;
    return <LoadingMessage text="Loading the stored symbols…" />;
  }
  if (run.error) return <ApiErrorMessage error={run.error} context={context} />;
  if (!run.data) return <LoadingMessage text={`Running the strategy on ${symbolName} ${timeframe}…`} />;
  return <PlaybackView run={run.data} initialCursorTime={props.initialCursorTime} onCursorChange={props.onCursorChange} />;
}

function LoadingMessage({ text }: { text: string }) {
  return (
    <div className="placeholder" data-testid="loading">
      <Spinner label={text} />
    </div>
  );
}

function NoSymbolsMessage() {
  return (
    <Banner tone="info" title="No market data stored yet" testId="error-message">
      <p>Load the demo data, or download real candles (the strategy needs the 5m series):</p>
      <CommandLine>make demo</CommandLine>
      <CommandLine>python manage.py fetch_ohlcv BTCUSDT 5m --exchange binance --base BTC --quote USDT --since 2024-01-01</CommandLine>
      <p className="muted">Then press Reload data.</p>
    </Banner>
  );
}
