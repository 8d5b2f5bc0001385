import type { MarketSymbol } from "@/lib/api-types";

/** Stored symbols; a symbol from the URL that is not stored stays selectable so its error can show. */
export function SymbolSelect(props: {
  /** undefined while the list is loading or could not be loaded. */
  symbols: readonly MarketSymbol[] | undefined;
  value: string;
  onChange: (symbol: string) => void;
  disabled?: boolean;
}) {
  const { symbols, value, onChange, disabled } = props;
  const known = symbols?.some((s) => s.name === value) ?? false;
  return (
    <select data-testid="symbol-select" value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
      {!known && value && (
        <option value={value}>
          {value}
          {symbols ? " (not stored)" : ""}
        </option>
      )}
      {symbols?.map((s) => (
        <option key={`${s.exchange}:${s.name}`} value={s.name}>
          {s.name}
          {s.simulated ? " (simulated)" : ""}
        </option>
      ))}
    </select>
  );
}
