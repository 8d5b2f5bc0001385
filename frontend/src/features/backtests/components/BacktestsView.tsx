import { useCallback, useState } from "react";
import { Spinner } from "@/components/Spinner";
import { setToken, useToken } from "../api/auth-token";
import { useStrategyCatalog } from "../api/get-catalog";
import { ErrorText } from "./ErrorText";
import { LoginForm } from "./LoginForm";
import { RunDetails } from "./RunDetails";
import { RunForm } from "./RunForm";
import { RunsList } from "./RunsList";
import { SweepView } from "./SweepView";

export type Selection = { kind: "run"; id: number } | { kind: "sweep"; id: number } | null;

function readSelection(): Selection {
  const params = new URLSearchParams(window.location.search);
  const run = Number(params.get("run"));
  const sweep = Number(params.get("sweep"));
  if (Number.isInteger(run) && run > 0) return { kind: "run", id: run };
  if (Number.isInteger(sweep) && sweep > 0) return { kind: "sweep", id: sweep };
  return null;
}

function writeSelection(selection: Selection) {
  const params = new URLSearchParams(window.location.search);
  params.delete("run");
  params.delete("sweep");
  if (selection) params.set(selection.kind, String(selection.id));
  window.history.replaceState(window.history.state, "", `${window.location.pathname}?${params}`);
}

/** The Backtests page: login, new run / sweep form, your runs, the selected run or sweep. */
export function BacktestsView({ symbols }: { symbols: string[] }) {
  const token = useToken();
  const [selection, setSelectionState] = useState<Selection>(readSelection);
  const select = useCallback((next: Selection) => {
    writeSelection(next);
    setSelectionState(next);
  }, []);

  if (!token) {
    return (
      <div className="bt-page bt-page--login">
        <LoginForm />
      </div>
    );
  }
  return (
    <div className="bt-page" data-testid="backtests">
      <aside className="bt-side">
        <FormWithCatalog
          symbols={symbols}
          onRunCreated={(id) => select({ kind: "run", id })}
          onSweepCreated={(id) => select({ kind: "sweep", id })}
        />
        <RunsList
          selectedId={selection?.kind === "run" ? selection.id : null}
          onOpen={(id) => select({ kind: "run", id })}
          onOpenSweep={(id) => select({ kind: "sweep", id })}
        />
        <button type="button" className="button button--ghost" onClick={() => setToken(null)} data-testid="logout">
          Sign out
        </button>
      </aside>
      <div className="bt-main">
        {selection?.kind === "run" && <RunDetails key={selection.id} id={selection.id} />}
        {selection?.kind === "sweep" && <SweepView key={selection.id} id={selection.id} onOpenRun={(id) => select({ kind: "run", id })} />}
        {!selection && <p className="muted placeholder">Queue a run, or open one from the list.</p>}
      </div>
    </div>
  );
}

function FormWithCatalog(props: { symbols: string[]; onRunCreated: (id: number) => void; onSweepCreated: (id: number) => void }) {
  const catalog = useStrategyCatalog();
  if (catalog.error) return <ErrorText error={catalog.error} />;
  if (!catalog.data) return <Spinner label="Loading the strategies…" />;
  if (catalog.data.length === 0) return <p className="muted">No strategies registered.</p>;
  return <RunForm catalog={catalog.data} {...props} />;
}
