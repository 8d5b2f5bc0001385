import { useLocation, useNavigate, useParams } from "react-router";
import { BacktestsView, compareSearch, parseCompareIds, type Selection } from "@/features/backtests";
import { BlockedEntries, ProfilePicker } from "@/features/risk";
import { useSymbols } from "@/features/symbols";
import { AppHeader } from "./AppHeader";
import { NotFoundMessage } from "./NotFoundPage";
import { preselectedStrategy, routeId } from "./pages";

/** /backtests, /backtests/<run id>, /backtests/sweeps/<sweep id>, /backtests/compare?ids=3,5:
 * the selection is the URL; `?strategy=<key>` chooses the form's strategy (the Strategies page's
 * "Backtest it"). */
export function BacktestsPage({ compare = false }: { compare?: boolean }) {
  const { runId, sweepId } = useParams();
  const navigate = useNavigate();
  const { search } = useLocation();
  const initialStrategy = preselectedStrategy(search);
  const symbols = useSymbols();
  const run = routeId(runId);
  const sweep = routeId(sweepId);
  const badId = (runId !== undefined && run === null) || (sweepId !== undefined && sweep === null);
  const selection: Selection = compare
    ? { kind: "compare", ids: parseCompareIds(new URLSearchParams(search).get("ids")) }
    : run !== null
      ? { kind: "run", id: run }
      : sweep !== null
        ? { kind: "sweep", id: sweep }
        : null;
  const select = (next: Selection) => {
    if (!next) navigate("/backtests");
    else if (next.kind === "compare") navigate(`/backtests/compare${compareSearch(next.ids)}`);
    else navigate(next.kind === "run" ? `/backtests/${next.id}` : `/backtests/sweeps/${next.id}`);
  };
  return (
    <div className="app app--scroll">
      <AppHeader />
      <main className="app-main">
        {badId ? (
          <NotFoundMessage />
        ) : (
          <BacktestsView
            symbols={symbols.data ?? []}
            initialStrategy={initialStrategy}
            selection={selection}
            onSelect={select}
            renderRiskPicker={(slot) => <ProfilePicker {...slot} />}
            renderRunRisk={(run) =>
              run.status === "done" || run.risk_limits ? (
                <BlockedEntries report={run.risk_report} limits={run.risk_limits} baseAsset={symbols.data?.find((s) => s.name === run.symbol && s.exchange === run.exchange)?.base ?? ""} />
              ) : null
            }
          />
        )}
      </main>
    </div>
  );
}
