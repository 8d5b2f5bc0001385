// Response types of /api/auth/, /api/strategies/catalog/ and /api/analytics/backtests/, checked
// against the running API (docs/backtesting.md "Runs, API and workers"). Times are epoch seconds.

export interface AuthUser {
  id: number;
  username: string;
  email: string;
  is_staff: boolean;
}

export interface LoginResponse {
  token: string;
  user: AuthUser;
}

export interface StrategyParamSchema {
  name: string;
  type: "integer" | "number" | string;
  default: number;
  minimum: number | null;
  maximum: number | null;
  description: string;
}

export interface CatalogStrategy {
  key: string;
  name: string;
  description: string;
  base_timeframe: string;
  context_timeframes: string[];
  params: StrategyParamSchema[];
}

export type RunStatus = "queued" | "running" | "done" | "failed";

/** Every KPI the engine computes; any may be null (a non-finite value). */
export type Kpis = Record<string, number | null>;

export interface BacktestRun {
  id: number;
  status: RunStatus;
  progress: number;
  error: string;
  strategy: string;
  params: Record<string, number>;
  symbol: string;
  exchange: string;
  timeframe: string;
  start: number;
  end: number;
  initial_capital: number;
  fee_rate: number;
  slippage_bps: number;
  size: number;
  stop_loss: number | null;
  take_profit: number | null;
  allow_short: boolean;
  kpis: Kpis | null;
  bars: number | null;
  sweep: number | null;
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface Paginated<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface BacktestTrade {
  number: number;
  side: "long" | "short";
  entry_time: number;
  exit_time: number;
  entry_price: number;
  exit_price: number;
  size: number;
  entry_fee: number;
  exit_fee: number;
  pnl: number;
  return_fraction: number;
  exit_reason: string;
}

export interface EquityPoint {
  time: number;
  value: number;
}

export interface BacktestEquity {
  run: number;
  status: RunStatus;
  total: number;
  points: number;
  equity: EquityPoint[];
}

export interface SweepRun {
  id: number;
  status: RunStatus;
  progress: number;
  error: string;
  params: Record<string, number>;
  kpis: Kpis | null;
  attempts: number;
}

export interface BacktestSweep {
  id: number;
  strategy: string;
  symbol: string;
  exchange: string;
  timeframe: string;
  start: number;
  end: number;
  params: Record<string, number>;
  grid: Record<string, number[]>;
  skipped: { params: Record<string, number>; errors: Record<string, string> }[];
  config: Record<string, unknown>;
  created_at: string;
  status: RunStatus;
  counts: Record<RunStatus, number>;
  order: string;
  runs: SweepRun[];
}
