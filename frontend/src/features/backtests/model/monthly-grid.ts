// The monthly returns table: one row per year, a column per month, and the year's return.
// The returns themselves are the server's (GET .../monthly-returns/, from the full equity curve).
export interface PeriodReturn {
  period: string;
  return_fraction: number | null;
}

export interface MonthlyRow {
  year: string;
  /** Index 0 = January; null where the run has no bar that month. */
  months: (number | null)[];
  /** The year's return (its months compounded, from the server); null when not finite. */
  total: number | null;
}

export const MONTH_LABELS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Months "YYYY-MM" and years "YYYY" -> rows, oldest year first. */
export function monthlyGrid(months: PeriodReturn[], years: PeriodReturn[]): MonthlyRow[] {
  const rows = new Map<string, MonthlyRow>();
  const rowOf = (year: string) => {
    let row = rows.get(year);
    if (!row) {
      row = { year, months: Array<number | null>(12).fill(null), total: null };
      rows.set(year, row);
    }
    return row;
  };
  for (const { period, return_fraction } of months) {
    const [year, month] = period.split("-");
    if (year && month) rowOf(year).months[Number(month) - 1] = return_fraction;
  }
  for (const { period, return_fraction } of years) rowOf(period).total = return_fraction;
  return [...rows.values()].sort((a, b) => a.year.localeCompare(b.year));
}
