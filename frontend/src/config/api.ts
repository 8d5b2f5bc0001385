// The API is always same-origin: Vite proxies /api in development, Django serves both in production.
export const API_BASE_PATH = "/api";

// The strategy the playback screen runs (the registry key in /api/strategies/<key>/run/).
export const PLAYBACK_STRATEGY_KEY = "hma-sma";

export const DEFAULT_SYMBOL_TIMEFRAME = "1h";
export const DEFAULT_CANDLE_LIMIT = 500; // candles per run request
export const MAX_CANDLE_LIMIT = 10_000; // the run endpoint's upper bound on `limit`
