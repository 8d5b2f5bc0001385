import type { MarketSymbol } from "@/lib/api-types";
import { findSymbolRef, parseSymbolKey, symbolKey, symbolLabel, type SymbolRef } from "@/lib/symbol-ref";

/**
 * Stored symbols, each with its exchange (the same name can come from two); a symbol from the URL
 * that is not stored stays selectable so its error can show.
 */
export function SymbolSelect(props: {
  /** undefined while the list is loading or could not be loaded. */
  symbols: readonly MarketSymbol[] | undefined;
  value: SymbolRef | null;
  onChange: (symbol: SymbolRef) => void;
  disabled?: boolean;
  testId?: string;
}) {
  const { symbols, value, onChange, disabled } = props;
  const chosen = findSymbolRef(symbols, value);
  const key = chosen ? symbolKey(chosen) : value ? symbolKey(value) : "";
  return (
    <select data-testid={props.testId ?? "symbol-select"} value={key} disabled={disabled} onChange={(e) => onChange(parseSymbolKey(e.target.value))}>
      {!chosen && value && (
        <option value={key}>
          {value.exchange ? `${value.name} · ${value.exchange}` : value.name}
          {symbols ? " (not stored)" : ""}
        </option>
      )}
      {symbols?.map((s) => (
        <option key={symbolKey(s)} value={symbolKey(s)}>
          {symbolLabel(s)}
        </option>
      ))}
    </select>
  );
}
