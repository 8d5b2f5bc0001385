import { memo, useCallback, useRef, useState } from "react";
import { Link } from "react-router";
import { useBotAction, useStopAll } from "../api/bots";
import type { Bot, StopOutcome } from "../api/types";
import { useBotsLive } from "../hooks/use-bots-live";
import { numberText, quoteOf } from "../model/format";
import { BotForm } from "./BotForm";
import { isoSeconds, ModeBadge, Money, StatusPill, UtcTime } from "./Cells";
import { ConnectionBanner } from "./ConnectionBanner";

declare global {
  interface Window {
    /** e2e build only: how many bots the page holds and their statuses. */
    __botsPage?: { count: () => number; status: (id: number) => string | undefined; synced: () => boolean };
  }
}

/** Every bot of the user, live from /ws/bots/ (no polling), with create, start, stop, delete.
 * `initialStrategy`: the strategy key the new-bot form starts with (a link's `?strategy=`). */
export function BotsView({ initialStrategy = null }: { initialStrategy?: string | null } = {}) {
  const live = useBotsLive();
  const action = useBotAction();
  const [stopping, setStopping] = useState<Bot | null>(null);
  const [stoppingAll, setStoppingAll] = useState(false);
  const stopAll = useStopAll();
  if (import.meta.env.MODE === "e2e")
    window.__botsPage = {
      count: () => live.bots.length,
      status: (id) => live.bots.find((b) => b.id === id)?.status,
      synced: () => live.synced,
    };

  // Stable callbacks: a message re-renders only the row of its bot (the rows are memoised).
  const latest = useRef({ live, action });
  latest.current = { live, action };
  const act = useCallback((bot: Bot, kind: "start" | "stop" | "delete", closePosition?: boolean) => {
    const { live: current, action: mutation } = latest.current;
    mutation.mutate(
      { id: bot.id, action: kind, closePosition },
      {
        onSuccess: (answer) => {
          if (kind === "delete") current.remove(bot.id);
          else if (answer) current.upsert(answer as Bot);
        },
      },
    );
  }, []);

  return (
    <div className="bt-page bots-page">
      <ConnectionBanner status={live.status} synced={live.synced} />
      {action.error && (
        <p className="bt-error" role="alert" data-testid="bot-action-error">
          {action.error.message}
        </p>
      )}
      <section className="bt-card">
        <div className="bots-heading">
          <h2>Your bots</h2>
          {live.bots.length > 0 && (
            <button
              type="button"
              className="button button--danger"
              onClick={() => setStoppingAll(true)}
              disabled={stopAll.isPending}
              data-testid="stop-all"
            >
              Stop all bots
            </button>
          )}
        </div>
        {live.synced && live.bots.length === 0 ? (
          <p className="muted" data-testid="bots-empty">
            No bot yet. Create one below: pick a strategy and a symbol with stored candles, try it in paper mode, then start it.
          </p>
        ) : (
          <BotsTable bots={live.bots} onAction={act} onStop={setStopping} busy={action.isPending} />
        )}
      </section>
      {stopping && (
        <StopDialog
          bot={stopping}
          onCancel={() => setStopping(null)}
          onStop={(close) => {
            act(stopping, "stop", close);
            setStopping(null);
          }}
        />
      )}
      {stoppingAll && (
        <StopAllDialog
          bots={live.bots}
          onCancel={() => setStoppingAll(false)}
          onStop={(close) => {
            stopAll.mutate(close);
            setStoppingAll(false);
          }}
        />
      )}
      {stopAll.error && (
        <p className="bt-error" role="alert">
          {stopAll.error.message}
        </p>
      )}
      {stopAll.data && <StopAllResults outcomes={stopAll.data.results} />}
      <BotForm onCreated={(bot) => live.upsert(bot)} initialStrategy={initialStrategy} />
    </div>
  );
}

const BotsTable = memo(function BotsTable(props: {
  bots: Bot[];
  onAction: (bot: Bot, kind: "start" | "stop" | "delete") => void;
  onStop: (bot: Bot) => void;
  busy: boolean;
}) {
  return (
    <div className="bt-table-wrap">
      <table className="bt-table bots-table" data-testid="bots-table">
        <thead>
          <tr>
            <th>Bot</th>
            <th>Mode</th>
            <th>Status</th>
            <th>Symbol</th>
            <th>Strategy</th>
            <th className="num">Position</th>
            <th className="num">Equity</th>
            <th className="num">Today</th>
            <th className="num">Total PnL</th>
            <th>Last decision</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.bots.map((bot) => (
            <BotRow key={bot.id} bot={bot} onAction={props.onAction} onStop={props.onStop} busy={props.busy} />
          ))}
        </tbody>
      </table>
    </div>
  );
});

const BotRow = memo(function BotRow({
  bot,
  onAction,
  onStop,
  busy,
}: {
  bot: Bot;
  onAction: (bot: Bot, kind: "start" | "stop" | "delete") => void;
  onStop: (bot: Bot) => void;
  busy: boolean;
}) {
  const unit = quoteOf(bot.symbol);
  const running = bot.status === "running" || bot.status === "stopping";
  const position = bot.position;
  return (
    <tr data-testid={`bot-row-${bot.id}`} className={bot.mode === "live" ? "bot-row--live" : undefined}>
      <td>
        <Link to={`/bots/${bot.id}`} data-testid="bot-link">
          {bot.name}
        </Link>
      </td>
      <td>
        <ModeBadge mode={bot.mode} />
      </td>
      <td title={[bot.status_message, bot.books_warning].filter(Boolean).join("\n")}>
        <StatusPill status={bot.status} stalled={bot.stalled} />
        {bot.books_warning && (
          <span className="books-flag" data-testid="books-flag" aria-label={bot.books_warning}>
            {" "}books differ
          </span>
        )}
      </td>
      <td>
        {bot.symbol} <span className="muted small">{bot.exchange}</span>
      </td>
      <td title={bot.strategy}>{bot.strategy_name}</td>
      <td className="num" data-testid="bot-position">
        {position ? `${position.side > 0 ? "long" : "short"} ${numberText(position.size)}` : "flat"}
      </td>
      <td className="num" data-testid="bot-equity">
        <Money value={bot.marked_equity} unit={unit} />
      </td>
      <td className="num">
        <Money value={bot.today_pnl} unit={unit} signed />
      </td>
      <td className="num" data-testid="bot-pnl">
        <Money value={bot.total_pnl} unit={unit} signed />
      </td>
      <td data-testid="bot-last-decision">
        <UtcTime seconds={isoSeconds(bot.last_decision_at) ?? bot.last_candle} />
      </td>
      <td className="bot-actions">
        {running ? (
          <button type="button" className="button button--ghost" disabled={busy || bot.status === "stopping"} onClick={() => onStop(bot)} data-testid="bot-stop">
            Stop
          </button>
        ) : (
          <>
            <button type="button" className="button" disabled={busy} onClick={() => onAction(bot, "start")} data-testid="bot-start">
              Start
            </button>
            <button
              type="button"
              className="button button--ghost"
              disabled={busy}
              onClick={() => {
                if (window.confirm(`Delete the bot "${bot.name}" and its history?`)) onAction(bot, "delete");
              }}
              data-testid="bot-delete"
            >
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  );
});

function StopDialog({ bot, onCancel, onStop }: { bot: Bot; onCancel: () => void; onStop: (close: boolean) => void }) {
  return (
    <div
      className="bt-card bot-stop-dialog"
      role="dialog"
      aria-modal="false"
      aria-labelledby="stop-title"
      data-testid="stop-dialog"
      onKeyDown={(e) => {
        if (e.key === "Escape") onCancel();
      }}
    >
      <h3 id="stop-title">Stop “{bot.name}”</h3>
      <p>
        {bot.position
          ? `It holds a ${bot.position.side > 0 ? "long" : "short"} position of ${numberText(bot.position.size)}. Close it at the next candle's open, or keep it (managed again when the bot restarts)?`
          : "It holds no position. Its open orders are cancelled."}
      </p>
      <div className="bot-dialog-actions">
        {bot.position && (
          <button type="button" className="button" onClick={() => onStop(true)} data-testid="stop-close" autoFocus>
            Stop and close the position
          </button>
        )}
        <button type="button" className="button button--ghost" onClick={() => onStop(false)} data-testid="stop-keep" autoFocus={!bot.position}>
          {bot.position ? "Stop, keep the position" : "Stop"}
        </button>
        <button type="button" className="button button--ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** Asks once for every bot: keep the open positions, or close them at market. */
function StopAllDialog({ bots, onCancel, onStop }: { bots: Bot[]; onCancel: () => void; onStop: (close: boolean) => void }) {
  const running = bots.filter((b) => b.status === "running").length;
  const holding = bots.filter((b) => b.position).length;
  return (
    <div
      className="bt-card bot-stop-dialog"
      role="dialog"
      aria-modal="false"
      aria-labelledby="stop-all-title"
      data-testid="stop-all-dialog"
      onKeyDown={(e) => {
        if (e.key === "Escape") onCancel();
      }}
    >
      <h3 id="stop-all-title">Stop all your bots</h3>
      <p>
        {running} running, {holding} holding a position. Every running bot stops and its open orders are cancelled. Close every open position
        at market (stopped bots' too), or keep them?
      </p>
      <div className="bot-dialog-actions">
        <button type="button" className="button button--danger" onClick={() => onStop(true)} data-testid="stop-all-close">
          Stop all and close every position
        </button>
        <button type="button" className="button button--ghost" onClick={() => onStop(false)} data-testid="stop-all-keep" autoFocus>
          Stop all, keep the positions
        </button>
        <button type="button" className="button button--ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** What the stop-all did, bot by bot. */
function StopAllResults({ outcomes }: { outcomes: StopOutcome[] }) {
  return (
    <section className="bt-card" data-testid="stop-all-results" aria-live="polite">
      <h3>Stop all: {outcomes.length} bots</h3>
      <ul className="stop-all-results">
        {outcomes.map((o) => (
          <li key={o.bot_id} data-outcome={o.outcome}>
            <b>{o.name}</b> ({o.mode}): {o.outcome}
            {o.message ? ` — ${o.message}` : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}
