// Where the Strategies page links to: given by the app, which owns the URLs.
export interface StrategyPaths {
  list: string;
  edit: (id: number) => string;
  /** A new strategy, optionally starting from a built-in's source. */
  create: (copyFrom?: string) => string;
  /** The backtest form with this strategy key chosen. */
  backtest: (key: string) => string;
  /** The new-bot form with this strategy key chosen. */
  paperBot: (key: string) => string;
}
