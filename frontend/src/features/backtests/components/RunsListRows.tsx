// The rows of "Your runs": a run (focusable, Enter opens it, a box ticks it for comparing) and a
// sweep's one entry (Enter opens the sweep, its button unfolds its runs, read when unfolded).
import { Spinner } from "@/components/Spinner";
import { useSweepRuns } from "../api/get-backtests";
import type { BacktestRun, SweepSummary } from "../api/types";
import { formatKpi } from "../model/kpi-format";
import { sweepProgress } from "../model/run-groups";
import { ErrorText } from "./ErrorText";
import { activateOnKey } from "./row-keys";
import { formatEpoch } from "./time";

interface RowProps {
  picked: number[];
  onToggle: (id: number) => void;
  selectedId: number | null;
  onOpen: (id: number) => void;
}

export function RunRow({ run, picked, onToggle, selectedId, onOpen, inSweep = false }: RowProps & { run: BacktestRun; inSweep?: boolean }) {
  const open = () => onOpen(run.id);
  return (
    <tr
      tabIndex={0}
      className={`bt-row bt-clickable${run.id === selectedId ? " selected" : ""}${inSweep ? " bt-row--child" : ""}`}
      aria-current={run.id === selectedId ? "page" : undefined}
      data-testid="runs-list-row"
      data-run-id={run.id}
      onClick={open}
      onKeyDown={activateOnKey(open)}
    >
      <td>{run.id}</td>
      <td className="bt-runs__what">
        {inSweep ? (
          <span className="small">{Object.entries(run.params).map(([k, v]) => `${k}=${v}`).join(" ")}</span>
        ) : (
          <>
            <span title={run.strategy}>{run.strategy_name}</span> {run.symbol}
          </>
        )}
        <Span start={run.start} end={run.end} />
      </td>
      <td>{run.status === "done" ? formatKpi(run.kpis?.total_return, "percent") : run.status}</td>
      <td onClick={(event) => event.stopPropagation()}>
        <input
          type="checkbox"
          data-testid="compare-pick"
          aria-label={`Compare run ${run.id}`}
          checked={picked.includes(run.id)}
          onChange={() => onToggle(run.id)}
        />
      </td>
    </tr>
  );
}

export function SweepEntry({
  sweep,
  open,
  selected,
  onToggleOpen,
  onOpenSweep,
  ...rowProps
}: RowProps & {
  sweep: SweepSummary;
  open: boolean;
  selected: boolean;
  onToggleOpen: () => void;
  onOpenSweep: (id: number) => void;
}) {
  const runs = useSweepRuns(sweep.id, open);
  const total = sweep.counts.queued + sweep.counts.running + sweep.counts.done + sweep.counts.failed;
  const openSweep = () => onOpenSweep(sweep.id);
  return (
    <>
      <tr
        tabIndex={0}
        className={`bt-row bt-clickable bt-row--sweep${selected ? " selected" : ""}`}
        aria-current={selected ? "page" : undefined}
        data-testid="runs-list-sweep"
        data-sweep-id={sweep.id}
        onClick={openSweep}
        onKeyDown={activateOnKey(openSweep)}
      >
        <td>
          <button
            type="button"
            className="bt-expand"
            aria-expanded={open}
            aria-label={`${open ? "Hide" : "Show"} the ${total} runs of sweep ${sweep.id}`}
            data-testid="sweep-expand"
            onClick={(event) => {
              event.stopPropagation();
              onToggleOpen();
            }}
          >
            {open ? "▾" : "▸"}
          </button>
        </td>
        <td className="bt-runs__what">
          <b>Sweep {sweep.id}</b> · <span title={sweep.strategy}>{sweep.strategy_name}</span> {sweep.symbol}{" "}
          <span className="muted small">{sweepProgress(sweep.counts)}</span>
          <Span start={sweep.start} end={sweep.end} />
        </td>
        <td title="the best total return of its runs">
          {sweep.best_total_return === null ? "—" : `best ${formatKpi(sweep.best_total_return, "percent")}`}
        </td>
        <td />
      </tr>
      {open && !runs.data && (
        <tr>
          <td colSpan={4}>{runs.error ? <ErrorText error={runs.error} /> : <Spinner label={`Loading sweep ${sweep.id}'s runs…`} />}</td>
        </tr>
      )}
      {open && runs.data?.results.map((run) => <RunRow key={run.id} run={run} inSweep {...rowProps} />)}
    </>
  );
}

/** A span, e.g. "24-06-01 → 06-10" (UTC), the full dates on hover. */
function Span({ start, end }: { start: number; end: number }) {
  return (
    <span className="bt-runs__span" title={`${formatEpoch(start)} → ${formatEpoch(end)} (UTC)`}>
      {formatEpoch(start).slice(2)} → {formatEpoch(end).slice(5)}
    </span>
  );
}
