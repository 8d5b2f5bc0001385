import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { Link } from "react-router";
import { type DashboardGroup, type DashboardTotals, dashboardKey, useDashboardDrawdown, useDashboardEquity, useDashboardEvents, useDashboardLeaders, useDashboardPnlByDay, useDashboardPositions, useDashboardSummary } from "../api/dashboard";
import { useBotsLive } from "../hooks/use-bots-live";
import { numberText, percentText, quoteOf } from "../model/format";
import { isoSeconds, ModeBadge, Money, StatusPill, UtcTime } from "./Cells";
import { ConnectionBanner } from "./ConnectionBanner";
import { SeriesChart } from "./LineChart";

/** The landing page once signed in: figures across the user's bots, from the server's
 * /api/execution/dashboard/ panels, read again (at most once a second) as the bots' events arrive. */
export function DashboardView() {
  const queryClient = useQueryClient();
  const last = useRef(0);
  const live = useBotsLive({
    onMessages: () => {
      const now = Date.now();
      if (now - last.current < 1000) return;
      last.current = now;
      void queryClient.invalidateQueries({ queryKey: dashboardKey });
    },
  });
  const summary = useDashboardSummary();
  const s = summary.data;
  const [chosen, setChosen] = useState<DashboardGroup | null>(null);
  // The curves are one (mode, quote) group's: the chosen one, else the first (live first).
  const groups = s?.totals ?? [];
  const group = groups.find((g) => g.mode === chosen?.mode && g.quote === chosen?.quote) ?? groups[0] ?? null;
  const equity = useDashboardEquity(group && { mode: group.mode, quote: group.quote });
  const drawdown = useDashboardDrawdown(group && { mode: group.mode, quote: group.quote });
  const days = useDashboardPnlByDay(group && { mode: group.mode, quote: group.quote });
  const positions = useDashboardPositions();
  const events = useDashboardEvents();
  const leaders = useDashboardLeaders();
  const unit = group?.quote ?? "";
  const dayBars = useMemo(() => (days.data?.days ?? []).map((d) => ({ time: d.time, value: d.pnl })), [days.data]);
  const ddPoints = useMemo(() => (drawdown.data?.points ?? []).map((p) => ({ time: p.time, value: p.value * 100 })), [drawdown.data]);

  if (s && s.bots === 0)
    return (
      <div className="bt-page">
        <section className="bt-card" data-testid="dashboard-empty">
          <h2>No bot yet</h2>
          <p>
            Create a paper bot on the <Link to="/bots">Bots page</Link>: it trades a strategy on simulated fills, and its equity, PnL and positions appear here. Try strategies first on the{" "}
            <Link to="/backtests">Backtests page</Link>.
          </p>
        </section>
      </div>
    );
  return (
    <div className="bt-page dashboard">
      <ConnectionBanner status={live.status} synced={live.synced} />
      <section className="bt-card">
        <h2>All bots</h2>
        {summary.isError && <p className="bt-error">{summary.error.message}</p>}
        {s && (
          <div data-testid="dashboard-summary">
            <dl className="bot-figures">
              <div>
                <dt>Bots</dt>
                <dd data-testid="dash-counts">
                  {s.counts.running ?? 0} running · {(s.counts.stopped ?? 0) + (s.counts.stopping ?? 0)} stopped · {(s.counts.error ?? 0) + (s.counts.killed ?? 0)} error/killed
                </dd>
              </div>
              <div>
                <dt>Open positions</dt>
                <dd className="num">{s.open_positions}</dd>
              </div>
            </dl>
            {s.totals.map((t) => (
              <GroupFigures key={`${t.mode}-${t.quote}`} totals={t} />
            ))}
          </div>
        )}
      </section>
      {s && s.stalled.length > 0 && (
        <section className="banner banner--warning" role="alert" data-testid="dash-stalled">
          <strong className="banner__title">
            {s.stalled.length === 1 ? "A running bot is stalled" : `${s.stalled.length} running bots are stalled`}: no decision for more than a bar
          </strong>
          <ul>
            {s.stalled.map((row) => (
              <li key={row.bot}>
                <Link to={`/bots/${row.bot}`}>{row.name}</Link>: {row.reason}
              </li>
            ))}
          </ul>
        </section>
      )}
      {groups.length > 1 && (
        <div className="bt-tabs" role="tablist" aria-label="Whose money the charts show" data-testid="dash-groups">
          {groups.map((g) => {
            const on = g === group;
            return (
              <button key={`${g.mode}-${g.quote}`} type="button" role="tab" aria-selected={on} className={on ? "active" : ""} data-testid={`dash-group-${g.mode}-${g.quote}`} onClick={() => setChosen({ mode: g.mode, quote: g.quote })}>
                {groupName(g)}
              </button>
            );
          })}
        </div>
      )}
      <div className="dashboard-grid">
        <section className="bt-card">
          <h3>
            Total equity{group && `, ${groupName(group)}`}
            <span className="muted" data-testid="dash-drawdown">
              {" "}· drawdown now {percentText(drawdown.data?.current_drawdown)}, max {percentText(drawdown.data?.max_drawdown)}
            </span>
          </h3>
          {equity.data?.points.length ? <SeriesChart points={equity.data.points} testId="dash-equity-chart" /> : <p className="muted">Start a bot: its equity is marked at each candle's close.</p>}
        </section>
        <section className="bt-card">
          <h3>PnL by day (UTC){unit && `, ${unit}`}</h3>
          {dayBars.length ? <SeriesChart points={dayBars} kind="bars" testId="dash-pnl-chart" /> : <p className="muted">No closed day yet.</p>}
        </section>
        <section className="bt-card">
          <h3>Drawdown (%)</h3>
          {ddPoints.length ? <SeriesChart points={ddPoints} testId="dash-drawdown-chart" height={160} /> : <p className="muted">No equity yet.</p>}
        </section>
        <section className="bt-card">
          <h3>Open positions</h3>
          {positions.data?.length ? (
            <table className="bt-table" data-testid="dash-positions">
              <thead>
                <tr>
                  <th>Bot</th>
                  <th>Symbol</th>
                  <th>Side</th>
                  <th className="num">Size</th>
                  <th className="num">Entry</th>
                  <th>Since</th>
                </tr>
              </thead>
              <tbody>
                {positions.data.map((p) => (
                  <tr key={p.bot}>
                    <td>
                      <Link to={`/bots/${p.bot}`}>{p.name}</Link> <ModeBadge mode={p.mode} />
                    </td>
                    <td>{p.symbol}</td>
                    <td>{p.side}</td>
                    <td className="num">{numberText(p.size)}</td>
                    <td className="num">
                      <Money value={p.entry_price} unit={quoteOf(p.symbol)} />
                    </td>
                    <td>
                      <UtcTime seconds={p.entry_time} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">No open position.</p>
          )}
        </section>
        <section className="bt-card">
          <h3>Best and worst bots</h3>
          {leaders.data && (
            <table className="bt-table" data-testid="dash-leaders">
              <thead>
                <tr>
                  <th>Bot</th>
                  <th>Status</th>
                  <th className="num">Total PnL</th>
                  <th className="num">Return</th>
                </tr>
              </thead>
              <tbody>
                {[...leaders.data.best, ...leaders.data.worst].map((row, i) => (
                  <tr key={`${i}-${row.bot}`}>
                    <td>
                      <Link to={`/bots/${row.bot}`}>{row.name}</Link> <ModeBadge mode={row.mode} />
                    </td>
                    <td>
                      <StatusPill status={row.status} />
                    </td>
                    <td className="num">
                      <Money value={row.total_pnl} unit={quoteOf(row.symbol)} signed />
                    </td>
                    <td className="num">{percentText(row.return, true)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="bt-card">
          <h3>Last events</h3>
          {events.data?.length ? (
            <ul className="bot-events" data-testid="dash-events">
              {events.data.map((e) => (
                <li key={e.id} className={`bot-event bot-event--${e.kind}`}>
                  <UtcTime seconds={isoSeconds(e.created_at)} /> <Link to={`/bots/${e.bot}`}>{e.name}</Link> <strong>{e.kind}</strong> {e.message}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No event yet.</p>
          )}
        </section>
      </div>
    </div>
  );
}

const groupName = (g: { mode: string; quote: string }) => `${g.mode === "live" ? "Live" : "Paper"} · ${g.quote}`;

/** One group's money: bots of one mode and one quote currency, never added to another's. */
function GroupFigures({ totals: t }: { totals: DashboardTotals }) {
  const id = `${t.mode}-${t.quote}`;
  return (
    <dl className="bot-figures dash-group" data-testid={`dash-totals-${id}`}>
      <div>
        <dt>Mode</dt>
        <dd>
          <ModeBadge mode={t.mode} /> <span className="muted">{t.bots === 1 ? "1 bot" : `${t.bots} bots`}</span>
        </dd>
      </div>
      <div>
        <dt>Total equity</dt>
        <dd className="num" data-testid="dash-total-equity" data-value={t.total_equity}>
          <Money value={t.total_equity} unit={t.quote} />
        </dd>
      </div>
      <div>
        <dt>Total PnL</dt>
        <dd className="num" data-testid="dash-total-pnl" data-value={t.total_pnl}>
          <Money value={t.total_pnl} unit={t.quote} signed />
        </dd>
      </div>
      <div>
        <dt>Today (UTC)</dt>
        <dd className="num" data-testid="dash-today-pnl" data-value={t.today_pnl}>
          <Money value={t.today_pnl} unit={t.quote} signed />
        </dd>
      </div>
      <div>
        <dt>Open positions</dt>
        <dd className="num">{t.open_positions}</dd>
      </div>
    </dl>
  );
}
