import { TIMEFRAMES, type MarketSymbol, type Timeframe } from "@/lib/api-types";
import { coverageOf } from "../model/coverage";

/** Every timeframe the API knows; those without stored candles for the symbol are disabled. */
export function TimeframeSelect(props: {
  symbol: MarketSymbol | undefined;
  value: Timeframe;
  onChange: (timeframe: Timeframe) => void;
}) {
  const { symbol, value, onChange } = props;
  return (
    <select
      data-testid="timeframe-select"
      value={value}
      onChange={(e) => onChange(e.target.value as Timeframe)}
    >
      {TIMEFRAMES.map((tf) => {
        const coverage = coverageOf(symbol, tf);
        // Unknown symbol (not in the list): nothing to go by, so leave every timeframe enabled.
        const enabled = symbol === undefined || coverage !== undefined || tf === value;
        return (
          <option key={tf} value={tf} disabled={!enabled}>
            {tf}
            {symbol !== undefined && coverage === undefined ? " (no data)" : ""}
          </option>
        );
      })}
    </select>
  );
}
