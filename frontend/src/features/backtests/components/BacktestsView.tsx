import type { ReactNode } from "react";
import type { MarketSymbol } from "@/lib/api-types";
import { Spinner } from "@/components/Spinner";
import { useCatalogRefetch } from "@/hooks/use-catalog-refetch";
import { useStrategyCatalog } from "../api/get-catalog";
import { useRunEvents, useRunEventsPushing } from "../api/run-events";
import { CompareView } from "./CompareView";
import { ErrorText } from "./ErrorText";
import { RunDetails } from "./RunDetails";
import type { BacktestRun } from "../api/types";
import { RunForm, type RiskPickerSlotProps } from "./RunForm";
import { RunsList } from "./RunsList";
import { SweepView } from "./SweepView";

export type Selection = { kind: "run"; id: number } | { kind: "sweep"; id: number } | { kind: "compare"; ids: number[] } | null;

/** The Backtests page for a signed-in user: new run / sweep form, your runs, the selected run or
 * sweep. The selection lives in the URL: the app's router passes it in and changes it. */
export function BacktestsView(props: {
  symbols: readonly MarketSymbol[];
  selection: Selection;
  onSelect: (next: Selection) => void;
  /** The risk profile picker on the form (composed by the app from the risk feature). */
  renderRiskPicker?: (slot: RiskPickerSlotProps) => ReactNode;
  /** What a run's risk profile did (blocked entries per rule), under its status. */
  renderRunRisk?: (run: BacktestRun) => ReactNode;
  /** A strategy key to choose in the form (a link's `?strategy=`, e.g. from the Strategies page). */
  initialStrategy?: string | null;
}) {
  const { selection, onSelect: select } = props;
  useRunEvents();
  const pushed = useRunEventsPushing();
  return (
    <div className="bt-page" data-testid="backtests" data-pushed={pushed}>
      <aside className="bt-side">
        <FormWithCatalog
          symbols={props.symbols}
          initialStrategy={props.initialStrategy ?? null}
          renderRiskPicker={props.renderRiskPicker}
          onRunCreated={(id) => select({ kind: "run", id })}
          onSweepCreated={(id) => select({ kind: "sweep", id })}
        />
        <RunsList
          selectedId={selection?.kind === "run" ? selection.id : null}
          selectedSweep={selection?.kind === "sweep" ? selection.id : null}
          onOpen={(id) => select({ kind: "run", id })}
          onOpenSweep={(id) => select({ kind: "sweep", id })}
          onCompare={(ids) => select({ kind: "compare", ids })}
        />
      </aside>
      <div className="bt-main">
        {selection?.kind === "run" && <RunDetails key={selection.id} id={selection.id} renderRunRisk={props.renderRunRisk} />}
        {selection?.kind === "sweep" && (
          <SweepView
            key={selection.id}
            id={selection.id}
            onOpenRun={(id) => select({ kind: "run", id })}
            onCompare={(ids) => select({ kind: "compare", ids })}
          />
        )}
        {selection?.kind === "compare" && <CompareView ids={selection.ids} onOpenRun={(id) => select({ kind: "run", id })} />}
        {!selection && <p className="muted placeholder">Queue a run, or open one from the list.</p>}
      </div>
    </div>
  );
}

function FormWithCatalog(props: {
  symbols: readonly MarketSymbol[];
  initialStrategy: string | null;
  onRunCreated: (id: number) => void;
  onSweepCreated: (id: number) => void;
  renderRiskPicker?: ((slot: RiskPickerSlotProps) => ReactNode) | undefined;
}) {
  const catalog = useStrategyCatalog();
  const { initialStrategy, ...formProps } = props;
  const { missing, waiting } = useCatalogRefetch(catalog, initialStrategy);
  if (catalog.error) return <ErrorText error={catalog.error} />;
  if (!catalog.data || waiting) return <Spinner label="Loading the strategies…" />;
  if (catalog.data.length === 0) return <p className="muted">No strategies registered.</p>;
  return (
    <>
      {missing && (
        <p className="bt-error" data-testid="strategy-missing">
          The strategy {initialStrategy} is not in the catalog (deleted, or not yours).
        </p>
      )}
      <RunForm catalog={catalog.data} initialStrategy={missing ? null : initialStrategy} {...formProps} />
    </>
  );
}
