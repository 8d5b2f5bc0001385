import { useLocation, useNavigate, useParams, useSearchParams } from "react-router";
import { StrategiesView, StrategyWorkspace, type StrategyPaths } from "@/features/strategies";
import { AppHeader } from "./AppHeader";
import { NotFoundMessage } from "./NotFoundPage";
import { routeId, strategyPaths } from "./pages";
import { StrategyPreview } from "./StrategyPreview";

const paths: StrategyPaths = strategyPaths;

function Shell({ children }: { children: React.ReactNode }) {
  return (
    <div className="app app--scroll">
      <AppHeader />
      <main className="app-main app-main--page">{children}</main>
    </div>
  );
}

/** /strategies: yours and the built-ins. */
export function StrategiesPage() {
  return (
    <Shell>
      <StrategiesView paths={paths} />
    </Shell>
  );
}

/** /strategies/new[?from=<built-in key>] and /strategies/<id>: the editor. */
export function StrategyEditPage() {
  const { strategyId } = useParams();
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const id = strategyId === undefined ? null : routeId(strategyId);
  const copyFrom = search.get("from");
  const message = (location.state as { strategyMessage?: string } | null)?.strategyMessage ?? null;
  if (strategyId !== undefined && id === null) {
    return (
      <Shell>
        <NotFoundMessage />
      </Shell>
    );
  }
  return (
    <Shell>
      <StrategyWorkspace
        key={id ?? `new:${copyFrom ?? ""}`}
        id={id}
        copyFrom={copyFrom}
        paths={paths}
        initialMessage={message}
        onCreated={(strategy, said) => navigate(paths.edit(strategy.id), { replace: true, state: { strategyMessage: said } })}
        onDeleted={() => navigate(paths.list)}
        renderPreview={(slot) => <StrategyPreview {...slot} />}
      />
    </Shell>
  );
}
