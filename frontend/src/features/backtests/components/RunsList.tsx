import { useState } from "react";
import { Spinner } from "@/components/Spinner";
import { useBacktests } from "../api/get-backtests";
import { useSweeps } from "../api/get-sweeps";
import { COMPARE_MAX_RUNS } from "../model/compare";
import { mergeRunsAndSweeps } from "../model/run-groups";
import { RunsCsvButton } from "./CsvButtons";
import { ErrorText } from "./ErrorText";
import { RunRow, SweepEntry } from "./RunsListRows";

interface RunsListProps {
  selectedId: number | null;
  selectedSweep: number | null;
  onOpen: (id: number) => void;
  onOpenSweep: (id: number) => void;
  onCompare: (ids: number[]) => void;
}

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
