import { useState } from "react";
import { Link } from "react-router";
import { UtcTime } from "@/components/UtcTime";
import { isoToEpoch } from "@/lib/time";
import { useBuiltinSources, useCatalog, useDefinitions, useDeleteDefinition } from "../api/strategies";
import type { CatalogStrategy, UserStrategy } from "../api/types";
import { CheckBadge } from "./CheckStatus";
import type { StrategyPaths } from "./paths";

/** The Strategies page: your strategies (current version, key, timeframe, check) and the built-ins
 * to copy from. */
export function StrategiesView({ paths }: { paths: StrategyPaths }) {
  return (
    <div className="strategies-page" data-testid="strategies">
      <YourStrategies paths={paths} />
      <Builtins paths={paths} />
    </div>
  );
}

function YourStrategies({ paths }: { paths: StrategyPaths }) {
  const definitions = useDefinitions();
  const remove = useDeleteDefinition();
  const [confirming, setConfirming] = useState<number | null>(null);
  return (
    <section className="bt-card" aria-labelledby="your-strategies">
      <div className="strategies-head">
        <h2 id="your-strategies">Your strategies</h2>
        <Link className="button" to={paths.create()} data-testid="strategy-new">
          New strategy
        </Link>
      </div>
      <p className="muted small">
        Written in the strategy language: indicators, conditions, parameters. Each save of a changed text is a new version with its own
        key; backtests and bots keep the version they were made with.
      </p>
      {definitions.error && <p className="bt-error">{definitions.error.message}</p>}
      {!definitions.data && !definitions.error && <p className="muted">Loading your strategies…</p>}
      {definitions.data?.length === 0 && (
        <p className="empty" data-testid="strategies-empty">
          You have no strategy of your own yet. Start a <strong>New strategy</strong> from the example, or copy a built-in below.
        </p>
      )}
      {definitions.data && definitions.data.length > 0 && (
        <div className="bt-table-wrap">
          <table className="bt-table" data-testid="strategies-table">
            <thead>
              <tr>
                <th>Name</th>
                <th className="text-left">Version</th>
                <th className="text-left">Key</th>
                <th className="text-left">Timeframe</th>
                <th className="text-left">Check</th>
                <th>Changed</th>
                <th className="text-left">Actions</th>
              </tr>
            </thead>
            <tbody>
              {definitions.data.map((strategy) => (
                <StrategyRow
                  key={strategy.id}
                  strategy={strategy}
                  paths={paths}
                  confirming={confirming === strategy.id}
                  busy={remove.isPending}
                  onAskDelete={() => {
                    remove.reset();
                    setConfirming(strategy.id);
                  }}
                  onCancelDelete={() => setConfirming(null)}
                  onDelete={() => remove.mutate(strategy.id, { onSettled: () => setConfirming(null) })}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {remove.error && (
        <p className="bt-error" role="alert" data-testid="strategy-delete-error">
          {remove.error.message}
        </p>
      )}
    </section>
  );
}

function StrategyRow(props: {
  strategy: UserStrategy;
  paths: StrategyPaths;
  confirming: boolean;
  busy: boolean;
  onAskDelete: () => void;
  onCancelDelete: () => void;
  onDelete: () => void;
}) {
  const { strategy, paths } = props;
  const changed = isoToEpoch(strategy.updated_at);
  return (
    <tr data-testid="strategy-row" data-strategy-id={strategy.id} data-key={strategy.key}>
      <td className="text-left">
        <Link to={paths.edit(strategy.id)} data-testid="strategy-link">
          {strategy.name}
        </Link>
      </td>
      <td className="text-left">v{strategy.version}</td>
      <td className="text-left">
        <code>{strategy.key}</code>
      </td>
      <td className="text-left">
        {strategy.base_timeframe}
        {strategy.context_timeframes.length > 0 && <span className="muted"> + {strategy.context_timeframes.join(", ")}</span>}
      </td>
      <td className="text-left">
        <CheckBadge check={strategy.check} />
      </td>
      <td>{changed !== null ? <UtcTime epochSeconds={changed} /> : "—"}</td>
      <td className="actions text-left">
        {props.confirming ? (
          <span className="strategies-confirm" role="group" aria-label={`Delete ${strategy.name}?`}>
            Delete every version?{" "}
            <button type="button" onClick={props.onDelete} disabled={props.busy} data-testid="strategy-delete-confirm">
              Delete
            </button>{" "}
            <button type="button" onClick={props.onCancelDelete} data-testid="strategy-delete-cancel">
              Keep
            </button>
          </span>
        ) : (
          <>
            <Link className="strategies-action" to={paths.backtest(strategy.key)} data-testid="strategy-row-backtest">
              Backtest
            </Link>{" "}
            <Link className="strategies-action" to={paths.paperBot(strategy.key)} data-testid="strategy-row-bot">
              Paper bot
            </Link>{" "}
            <button type="button" onClick={props.onAskDelete} data-testid="strategy-delete">
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

function Builtins({ paths }: { paths: StrategyPaths }) {
  const catalog = useCatalog();
  const builtins = (catalog.data ?? []).filter((entry) => entry.source !== "user");
  const hasSource = useBuiltinSources(builtins.map((b) => b.key));
  return (
    <section className="bt-card" aria-labelledby="builtin-strategies">
      <h2 id="builtin-strategies">Built-in strategies</h2>
      <p className="muted small">The platform's own strategies. Copy one written in the language to start from it.</p>
      {catalog.error && <p className="bt-error">{catalog.error.message}</p>}
      {!catalog.data && !catalog.error && <p className="muted">Loading the catalog…</p>}
      {builtins.length > 0 && (
        <div className="bt-table-wrap">
          <table className="bt-table" data-testid="builtins-table">
            <thead>
              <tr>
                <th>Name</th>
                <th className="text-left">Key</th>
                <th className="text-left">Timeframe</th>
                <th className="text-left">Description</th>
                <th className="text-left">Actions</th>
              </tr>
            </thead>
            <tbody>
              {builtins.map((entry) => (
                <BuiltinRow key={entry.key} entry={entry} copyable={hasSource[entry.key]} paths={paths} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function BuiltinRow({ entry, copyable, paths }: { entry: CatalogStrategy; copyable: boolean | undefined; paths: StrategyPaths }) {
  return (
    <tr data-testid="builtin-row" data-key={entry.key}>
      <td className="text-left">{entry.name}</td>
      <td className="text-left">
        <code>{entry.key}</code>
      </td>
      <td className="text-left">
        {entry.base_timeframe}
        {entry.context_timeframes.length > 0 && <span className="muted"> + {entry.context_timeframes.join(", ")}</span>}
      </td>
      <td className="wrap text-left">{entry.description}</td>
      <td className="actions text-left">
        {copyable === false ? (
          <span className="muted small" title="This built-in is written in Python, not in the strategy language.">
            no source to copy
          </span>
        ) : (
          <Link
            className="strategies-action"
            to={paths.create(entry.key)}
            aria-disabled={copyable === undefined}
            data-testid="builtin-copy"
          >
            Copy to my strategies
          </Link>
        )}
      </td>
    </tr>
  );
}
