// A small answer of GET /api/strategies/language/ and the example strategy, for the unit tests.
import type { LanguageSpec } from "../api/types";

export const LANGUAGE: LanguageSpec = {
  functions: [
    { name: "ema", signature: "ema(series, period)", description: "Exponential moving average.", outputs: [], returns: "series" },
    { name: "hma", signature: "hma(series, period)", description: "Hull moving average.", outputs: [], returns: "series" },
    { name: "rsi", signature: "rsi(series, period)", description: "Relative strength index.", outputs: [], returns: "series" },
    { name: "crosses_above", signature: "crosses_above(a, b)", description: "a crosses above b at this close.", outputs: [], returns: "condition" },
    { name: "crosses_below", signature: "crosses_below(a, b)", description: "a crosses below b at this close.", outputs: [], returns: "condition" },
    { name: "macd", signature: "macd(series, fast, slow, signal)", description: "MACD.", outputs: ["line", "signal", "hist"], returns: "series" },
    { name: "tf", signature: 'tf("timeframe", expression)', description: "The last closed value on another timeframe.", outputs: [], returns: "series" },
  ],
  fields: ["open", "high", "low", "close", "volume"],
  outputs: ["long_entry", "long_exit", "long_setup", "short_entry", "short_exit", "short_setup"],
  settings: ["timeframe", "stop_loss", "take_profit"],
  keywords: ["param", "in", "and", "or", "not", "true", "false"],
  timeframes: ["1m", "5m", "15m", "1h", "4h", "1d"],
  limits: { source_chars: 20000 },
};

export { NEW_STRATEGY_TEMPLATE as EXAMPLE } from "./workspace";
