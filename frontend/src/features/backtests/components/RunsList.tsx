import { useState, type KeyboardEvent } from "react";
import { Spinner } from "@/components/Spinner";
import { useBacktests, useSweepRuns } from "../api/get-backtests";
import { useSweeps } from "../api/get-sweeps";
import type { BacktestRun, SweepSummary } from "../api/types";
import { COMPARE_MAX_RUNS } from "../model/compare";
import { formatKpi } from "../model/kpi-format";
import { mergeRunsAndSweeps, sweepProgress } from "../model/run-groups";
import { RunsCsvButton } from "./CsvButtons";
import { ErrorText } from "./ErrorText";
import { formatEpoch } from "./time";

interface RunsListProps {
  selectedId: number | null;
  selectedSweep: number | null;
  onOpen: (id: number) => void;
  onOpenSweep: (id: number) => void;
  onCompare: (ids: number[]) => void;
}

/** Enter (or Space) on a focused row does what a click does. */
const activateOn = (action: () => void) => (event: KeyboardEvent<HTMLElement>) => {
  if (event.target !== event.currentTarget) return; // a checkbox or button inside keeps its keys
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    action();
  }
};

/** "Your runs": newest first, a sweep as one entry (unfolded to its runs); tick runs to compare. */
export function RunsList(props: RunsListProps) {
  const runs = useBacktests();
  const sweeps = useSweeps();
  const [picked, setPicked] = useState<number[]>([]);
  const [expanded, setExpanded] = useState<Set<number>>(() => new Set());
  const error = runs.error ?? sweeps.error;
  if (error) return <ErrorText error={error} />;
  if (!runs.data || !sweeps.data) return <Spinner label="Loading your runs…" />;
  const entries = mergeRunsAndSweeps(runs.data.results, sweeps.data.results);
  const toggle = (id: number) =>
    setPicked((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : ids.length < COMPARE_MAX_RUNS ? [...ids, id] : ids));
  const toggleSweep = (sweep: number) =>
    setExpanded((open) => {
      const next = new Set(open);
      if (!next.delete(sweep)) next.add(sweep);
      return next;
    });
  const rowProps = { picked, onToggle: toggle, selectedId: props.selectedId, onOpen: props.onOpen };
  return (
    <div className="bt-card bt-runs">
      <div className="bt-runs__head">
        <h3>
          Your runs <span className="muted small">({runs.data.count + sweeps.data.count})</span>
        </h3>
        <button
          type="button"
          className="button button--small"
          data-testid="compare-runs"
          disabled={picked.length < 2}
          title={picked.length < 2 ? "Tick two or more runs to compare them" : undefined}
          onClick={() => props.onCompare(picked)}
        >
          Compare{picked.length > 0 ? ` (${picked.length})` : ""}
        </button>
        <RunsCsvButton />
      </div>
      {entries.length === 0 && <p className="muted small">No runs yet.</p>}
      <div className="bt-table-wrap bt-table-wrap--sticky">
        <table className="bt-table bt-runs-table" data-testid="runs-list">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col" className="text-left">Strategy, span</th>
              <th scope="col">Return</th>
              <th scope="col">
                <span className="visually-hidden">Compare</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) =>
              entry.kind === "run" ? (
                <RunRow key={`run-${entry.run.id}`} run={entry.run} {...rowProps} />
              ) : (
                <SweepEntry
                  key={`sweep-${entry.sweep.id}`}
                  sweep={entry.sweep}
                  open={expanded.has(entry.sweep.id)}
                  selected={entry.sweep.id === props.selectedSweep}
                  onToggleOpen={() => toggleSweep(entry.sweep.id)}
                  onOpenSweep={props.onOpenSweep}
                  {...rowProps}
                />
              ),
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

interface RowProps {
  picked: number[];
  onToggle: (id: number) => void;
  selectedId: number | null;
  onOpen: (id: number) => void;
}

function RunRow({ run, picked, onToggle, selectedId, onOpen, inSweep = false }: RowProps & { run: BacktestRun; inSweep?: boolean }) {
  const open = () => onOpen(run.id);
  return (
    <tr
      tabIndex={0}
      className={`bt-row bt-clickable${run.id === selectedId ? " selected" : ""}${inSweep ? " bt-row--child" : ""}`}
      aria-current={run.id === selectedId ? "page" : undefined}
      data-testid="runs-list-row"
      data-run-id={run.id}
      onClick={open}
      onKeyDown={activateOn(open)}
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

function SweepEntry({
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
        onKeyDown={activateOn(openSweep)}
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
