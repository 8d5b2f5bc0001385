import { Spinner } from "@/components/Spinner";
import { useMonthlyReturns } from "../api/get-monthly-returns";
import { formatKpi } from "../model/kpi-format";
import { MONTH_LABELS, monthlyGrid } from "../model/monthly-grid";
import { ErrorText } from "./ErrorText";

const tone = (value: number | null) => (value === null ? "muted" : value >= 0 ? "up" : "down");

/** A run's returns as a year x month grid (UTC months), with each year's compounded return. */
export function MonthlyReturns({ runId }: { runId: number }) {
  const returns = useMonthlyReturns(runId, true);
  if (returns.error) return <ErrorText error={returns.error} />;
  if (!returns.data) return <Spinner label="Loading the monthly returns…" />;
  const rows = monthlyGrid(returns.data.months, returns.data.years);
  return (
    <div className="bt-table-wrap bt-table-wrap--sticky" role="region" aria-label="Monthly returns" tabIndex={0}>
      <table className="bt-table bt-monthly" data-testid="monthly-returns">
        <caption>Monthly returns (UTC months; the first from the starting capital)</caption>
        <thead>
          <tr>
            <th scope="col">Year</th>
            {MONTH_LABELS.map((label) => (
              <th key={label} scope="col">
                {label}
              </th>
            ))}
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.year} data-year={row.year}>
              <th scope="row">{row.year}</th>
              {row.months.map((value, i) => (
                <td key={i} className={tone(value)} data-month={i + 1}>
                  {value === null ? "" : formatKpi(value, "percent")}
                </td>
              ))}
              <td className={tone(row.total)} data-testid="year-return">
                <b>{formatKpi(row.total, "percent")}</b>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
