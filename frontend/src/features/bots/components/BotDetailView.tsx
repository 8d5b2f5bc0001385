import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link, useNavigate } from "react-router";
import { apiRequest } from "@/lib/api-client";
import { botKeys, useBotEquity, useBotEvents, useBotOrders, useBotReconciliation, useBotTrades, useReconciliationBacktest } from "../api/bots";
import type { Bot, BotReconciliation } from "../api/types";
import { useBotsLive } from "../hooks/use-bots-live";
import { fillMarkers, strategyLines, type RunCandle } from "../model/chart-data";
import { moneyText, numberText, quoteOf } from "../model/format";
import { BotChart } from "./BotChart";
import { isoSeconds, ModeBadge, Money, StatusPill, UtcTime } from "./Cells";
import { ConnectionBanner } from "./ConnectionBanner";
import { SeriesChart } from "./LineChart";
import { CLOSE_NOT_FOUND } from "@/lib/realtime-protocol";

const TIMEFRAME_SECONDS: Record<string, number> = { "1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "4h": 14_400, "1d": 86_400 };

/** /bots/<id>: the chart with the strategy's lines and the bot's fills, its position and equity,
 * orders, trades, events and the reconciliation with the backtest of its span; all live. */
export function BotDetailView({ botId }: { botId: number }) {
  const queryClient = useQueryClient();
  const live = useBotsLive({
    botId,
    // Each batch of messages: the parts they change are read again (React Query merges reads).
    onMessages: () => void queryClient.invalidateQueries({ queryKey: botKeys.one(botId) }),
  });
  const bot = live.bots[0];
  if (live.status.state === "closed" && live.status.code === CLOSE_NOT_FOUND)
    return (
      <p className="bt-card" data-testid="bot-missing">
        No such bot. <Link to="/bots">Back to your bots</Link>
      </p>
    );
  return (
    <div className="bt-page bot-page">
      <ConnectionBanner status={live.status} synced={live.synced} />
      {bot ? <BotDetail bot={bot} /> : <p className="muted">Loading the bot…</p>}
    </div>
  );
}

function BotDetail({ bot }: { bot: Bot }) {
  const unit = quoteOf(bot.symbol);
  const orders = useBotOrders(bot.id);
  const trades = useBotTrades(bot.id);
  const equity = useBotEquity(bot.id);
  const events = useBotEvents(bot.id);
  const run = useQuery({
    queryKey: [...botKeys.part(bot.id, "run"), bot.last_candle],
    queryFn: ({ signal }) =>
      apiRequest<Record<string, unknown> & { candles: RunCandle[] }>(`/strategies/${bot.strategy}/run/`, {
        signal,
        params: { symbol: bot.symbol, exchange: bot.exchange, timeframe: bot.timeframe, limit: 300, ...(bot.params as Record<string, number>) },
      }),
    placeholderData: (previous) => previous,
  });
  const candles = run.data?.candles ?? [];
  const lines = useMemo(() => (run.data ? strategyLines(run.data, run.data.candles) : []), [run.data]);
  const fills = useMemo(() => fillMarkers(orders.data ?? [], TIMEFRAME_SECONDS[bot.timeframe] ?? 300), [orders.data, bot.timeframe]);
  const position = bot.position;

  return (
    <>
      <section className="bt-card bot-head">
        <h2>
          {bot.name} <ModeBadge mode={bot.mode} /> <StatusPill status={bot.status} stalled={bot.stalled} />
        </h2>
        <p className="muted">
          <span title={bot.strategy}>{bot.strategy_name}</span> {JSON.stringify(bot.params)} on {bot.symbol} ({bot.exchange}, {bot.timeframe}) · {bot.status_message || "—"}
        </p>
        {bot.status === "running" && bot.stalled && (
          <div className="banner banner--warning" role="alert" data-testid="stalled-warning">
            <strong className="banner__title">Stalled: no decision for more than a bar</strong>
            <p>{bot.stalled}</p>
          </div>
        )}
        {bot.books_warning && (
          <div className="banner banner--warning" role="alert" data-testid="books-warning">
            <strong className="banner__title">The exchange account and the books differ</strong>
            <p>{bot.books_warning}</p>
          </div>
        )}
        <dl className="bot-figures">
          <div>
            <dt>Equity (marked)</dt>
            <dd className="num" data-testid="detail-equity">
              <Money value={bot.marked_equity} unit={unit} />
            </dd>
          </div>
          <div>
            <dt>Total PnL</dt>
            <dd className="num">
              <Money value={bot.total_pnl} unit={unit} signed />
            </dd>
          </div>
          <div>
            <dt>Today</dt>
            <dd className="num">
              <Money value={bot.today_pnl} unit={unit} signed />
            </dd>
          </div>
          <div>
            <dt>Position</dt>
            <dd className="num" data-testid="detail-position">
              {position ? `${position.side > 0 ? "long" : "short"} ${numberText(position.size)} @ ${moneyText(position.entry_price, unit)}` : "flat"}
            </dd>
          </div>
          <div>
            <dt>Last candle decided</dt>
            <dd>
              <UtcTime seconds={bot.last_candle} />
            </dd>
          </div>
        </dl>
      </section>
      <section className="bt-card">
        <h3>Price, strategy lines and fills</h3>
        {candles.length ? <BotChart title={`${bot.symbol} ${bot.timeframe}`} candles={candles} lines={lines} markers={fills.markers} fills={fills.fills} /> : <p className="muted">No candles stored for {bot.symbol} {bot.timeframe} yet: the bot fetches them when it starts.</p>}
      </section>
      <section className="bt-card">
        <h3>Equity at each close</h3>
        {equity.data?.equity.length ? (
          <SeriesChart points={equity.data.equity} testId="bot-equity-chart" />
        ) : (
          <p className="muted">No decision yet: start the bot and its equity appears at the next candle's close.</p>
        )}
      </section>
      <section className="bt-card">
        <h3>Orders</h3>
        {orders.data?.length ? (
          <div className="bt-table-wrap">
            <table className="bt-table" data-testid="orders-table">
              <thead>
                <tr>
                  <th>Client order id</th>
                  <th>Decided at</th>
                  <th>Leg</th>
                  <th>Side</th>
                  <th>State</th>
                  <th>Exchange id</th>
                  <th className="num">Filled</th>
                  <th className="num">Avg price</th>
                  <th className="num">Fee</th>
                </tr>
              </thead>
              <tbody>
                {orders.data.map((o) => (
                  <tr key={o.id} title={o.state_message} data-testid="order-row" data-client-id={o.client_order_id} data-leg={o.leg} data-filled={o.filled_quantity}>
                    <td>
                      <code>{o.client_order_id}</code>
                    </td>
                    <td>
                      <UtcTime seconds={o.candle} />
                    </td>
                    <td>
                      {o.leg}
                      {o.leg === "protect" && o.trigger_price && (
                        <span className="muted" data-testid="order-levels">
                          {" "}stop {moneyText(o.trigger_price, unit)} (limit {moneyText(o.limit_price, unit)})
                          {o.target_price && `, target ${moneyText(o.target_price, unit)}`}
                        </span>
                      )}
                    </td>
                    <td>{o.side}</td>
                    <td data-testid="order-state">{o.state}</td>
                    <td data-testid="order-exchange-id">{o.exchange_order_id || "—"}</td>
                    <td className="num">{numberText(o.filled_quantity)}</td>
                    <td className="num">{moneyText(o.average_price, unit)}</td>
                    <td className="num">{moneyText(o.fee, unit)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">No order yet: the bot orders when its strategy signals an entry at a candle's close.</p>
        )}
      </section>
      <section className="bt-card">
        <h3>Trades</h3>
        {trades.data?.length ? (
          <div className="bt-table-wrap">
            <table className="bt-table" data-testid="trades-table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Side</th>
                  <th>Entry</th>
                  <th>Exit</th>
                  <th className="num">Size</th>
                  <th className="num">Entry price</th>
                  <th className="num">Exit price</th>
                  <th className="num">PnL</th>
                  <th>Exit reason</th>
                </tr>
              </thead>
              <tbody>
                {trades.data.map((t) => (
                  <tr key={t.number}>
                    <td className="num">{t.number}</td>
                    <td>{t.side}</td>
                    <td>
                      <UtcTime seconds={t.entry_time} />
                    </td>
                    <td>
                      <UtcTime seconds={t.exit_time} />
                    </td>
                    <td className="num">{numberText(t.size)}</td>
                    <td className="num">{moneyText(t.entry_price, unit)}</td>
                    <td className="num">{moneyText(t.exit_price, unit)}</td>
                    <td className="num">
                      <Money value={t.pnl} unit={unit} signed />
                    </td>
                    <td>{t.exit_reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">No closed trade yet.</p>
        )}
      </section>
      <section className="bt-card">
        <h3>Events</h3>
        {events.data?.length ? (
          <ul className="bot-events" data-testid="events-list">
            {events.data.map((e) => (
              <li key={e.id} className={`bot-event bot-event--${e.kind}`}>
                <UtcTime seconds={isoSeconds(e.created_at)} /> <strong>{e.kind}</strong> {e.message}
                {Array.isArray((e.data as { reasons?: unknown }).reasons) && <span className="muted"> — {((e.data as { reasons: string[] }).reasons).join("; ")}</span>}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No event yet.</p>
        )}
      </section>
      <Reconciliation bot={bot} unit={unit} />
    </>
  );
}

interface TradeSide {
  side: string;
  entry_time: number;
  exit_time: number | null;
  entry_price: number;
  exit_price: number | null;
  size: number;
  pnl: number | null;
  exit_reason: string;
}
type ReconRow = { bot: TradeSide | null; backtest: TradeSide | null; differences: Record<string, number> | null };

const differs = (row: ReconRow) => !row.differences || Object.values(row.differences).some((v) => Math.abs(v) > 1e-9);

function Reconciliation({ bot, unit }: { bot: Bot; unit: string }) {
  const report = useBotReconciliation(bot.id);
  const open = useReconciliationBacktest();
  const navigate = useNavigate();
  const data: BotReconciliation | undefined = report.data;
  const summary = data?.summary as
    | { matched: number; unmatched: number; bot_trades: number; backtest_trades: number; pnl_difference: number; identical: boolean; max_abs_difference: Record<string, number> }
    | undefined;
  const rows = (data?.trades ?? []) as unknown as ReconRow[];
  const ms = (t: number | null | undefined) => (t === null || t === undefined ? null : Math.floor(t / 1000));
  return (
    <section className="bt-card" data-testid="reconciliation">
      <h3>Reconciliation with the backtest of the same span</h3>
      {report.isError && <p className="bt-error">{report.error.message}</p>}
      {summary && (
        <>
          <p data-testid="recon-summary" className={summary.identical ? "up" : "down"}>
            {summary.identical ? "Identical: " : "Differences: "}
            {summary.matched} matched, <span data-testid="recon-unmatched">{summary.unmatched}</span> unmatched ({summary.bot_trades} bot trades, {summary.backtest_trades} backtest trades); PnL gap{" "}
            <span data-testid="recon-pnl-gap">{moneyText(summary.pnl_difference, unit, true)}</span>; largest price gap (slippage) entry {moneyText(summary.max_abs_difference.entry_price ?? 0, unit)}, exit{" "}
            {moneyText(summary.max_abs_difference.exit_price ?? 0, unit)}; fees {moneyText((summary.max_abs_difference.entry_fee ?? 0) + (summary.max_abs_difference.exit_fee ?? 0), unit)}.
          </p>
          <button
            type="button"
            className="button"
            disabled={open.isPending || bot.last_candle === null}
            onClick={() => open.mutate(bot.id, { onSuccess: (answer) => navigate(`/backtests/${answer.run}`) })}
            data-testid="open-backtest"
          >
            Open this backtest
          </button>
          {open.error && <span className="bt-error"> {open.error.message}</span>}
        </>
      )}
      {rows.length ? (
        <div className="bt-table-wrap">
          <table className="bt-table" data-testid="recon-table">
            <thead>
              <tr>
                <th>Entry</th>
                <th>Side</th>
                <th className="num">Bot entry</th>
                <th className="num">Backtest entry</th>
                <th className="num">Bot exit</th>
                <th className="num">Backtest exit</th>
                <th className="num">Bot PnL</th>
                <th className="num">Backtest PnL</th>
                <th className="num">PnL gap</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => {
                const any = row.bot ?? row.backtest!;
                return (
                  <tr key={i} className={differs(row) ? "recon-diff" : undefined} data-testid={differs(row) ? "recon-row-diff" : "recon-row-same"}>
                    <td>
                      <UtcTime seconds={ms(any.entry_time)} />
                    </td>
                    <td>{any.side}</td>
                    <td className="num">{moneyText(row.bot?.entry_price, unit)}</td>
                    <td className="num">{moneyText(row.backtest?.entry_price, unit)}</td>
                    <td className="num">{moneyText(row.bot?.exit_price, unit)}</td>
                    <td className="num">{moneyText(row.backtest?.exit_price, unit)}</td>
                    <td className="num">{moneyText(row.bot?.pnl, unit, true)}</td>
                    <td className="num">{moneyText(row.backtest?.pnl, unit, true)}</td>
                    <td className="num">{row.differences ? moneyText(row.differences.pnl ?? 0, unit, true) : "unmatched"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        summary && <p className="muted">No trade on either side yet.</p>
      )}
    </section>
  );
}
