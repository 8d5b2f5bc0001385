// How each KPI reads: fractions as percents, money with 2 decimals, durations in days/hours.
import type { Kpis } from "../api/types";

export type KpiKind = "percent" | "ratio" | "money" | "count" | "duration" | "bars";

export interface KpiDefinition {
  key: string;
  label: string;
  kind: KpiKind;
}

/** The KPIs shown, in order (others the API adds are listed after them). */
export const KPI_DEFINITIONS: KpiDefinition[] = [
  { key: "total_return", label: "Total return", kind: "percent" },
  { key: "net_profit", label: "Net profit", kind: "money" },
  { key: "final_equity", label: "Final equity", kind: "money" },
  { key: "buy_and_hold_return", label: "Buy & hold", kind: "percent" },
  { key: "cagr", label: "CAGR", kind: "percent" },
  { key: "sharpe", label: "Sharpe", kind: "ratio" },
  { key: "sortino", label: "Sortino", kind: "ratio" },
  { key: "calmar", label: "Calmar", kind: "ratio" },
  { key: "max_drawdown", label: "Max drawdown", kind: "percent" },
  { key: "max_drawdown_duration_ms", label: "Max DD duration", kind: "duration" },
  { key: "number_of_trades", label: "Trades", kind: "count" },
  { key: "win_rate", label: "Win rate", kind: "percent" },
  { key: "profit_factor", label: "Profit factor", kind: "ratio" },
  { key: "expectancy", label: "Expectancy", kind: "money" },
  { key: "average_trade_return", label: "Avg trade return", kind: "percent" },
  { key: "average_trade_duration_ms", label: "Avg trade duration", kind: "duration" },
  { key: "exposure", label: "Exposure", kind: "percent" },
  { key: "fees_paid", label: "Fees paid", kind: "money" },
];

const percent = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const ratio = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const count = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatDuration(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes < 60) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} d`;
}

export function formatKpi(value: number | null | undefined, kind: KpiKind): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  switch (kind) {
    case "percent":
      return percent.format(value);
    case "money":
      return money.format(value);
    case "ratio":
      return ratio.format(value);
    case "count":
    case "bars":
      return count.format(value);
    case "duration":
      return formatDuration(value);
  }
}

/** Sign class for coloring: positive/negative for returns and profits, none otherwise. */
export function kpiTone(key: string, value: number | null | undefined): "up" | "down" | "" {
  if (value === null || value === undefined || !Number.isFinite(value) || value === 0) return "";
  if (!["total_return", "net_profit", "cagr", "expectancy", "average_trade_return", "sharpe", "sortino"].includes(key)) return "";
  return value > 0 ? "up" : "down";
}

export function kpiRows(kpis: Kpis): { key: string; label: string; text: string; tone: string }[] {
  return KPI_DEFINITIONS.filter((def) => def.key in kpis).map((def) => ({
    key: def.key,
    label: def.label,
    text: formatKpi(kpis[def.key], def.kind),
    tone: kpiTone(def.key, kpis[def.key]),
  }));
}
