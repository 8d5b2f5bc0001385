// A symbol is named by its exchange and its name: the same "BTCUSDT" can be stored from binance
// and from the simulated demo market, and every picker must tell them apart.
import type { MarketSymbol } from "@/lib/api-types";

export interface SymbolRef {
  name: string;
  /** Absent: the API's default (the default exchange, else the only one). */
  exchange?: string | undefined;
}

/** "binance:BTCUSDT", a picker's option value (the name alone without an exchange). */
export function symbolKey(ref: SymbolRef): string {
  return ref.exchange ? `${ref.exchange}:${ref.name}` : ref.name;
}

export function parseSymbolKey(key: string): SymbolRef {
  const at = key.indexOf(":");
  return at < 0 ? { name: key } : { exchange: key.slice(0, at), name: key.slice(at + 1) };
}

/** The stored symbol a ref names: by exchange and name, or the first of that name without an exchange. */
export function findSymbolRef(symbols: readonly MarketSymbol[] | undefined, ref: SymbolRef | null): MarketSymbol | undefined {
  if (!ref) return undefined;
  return symbols?.find((s) => s.name === ref.name && (!ref.exchange || s.exchange === ref.exchange));
}

/** "BTCUSDT · binance", "BTCUSDT · simulated" (the demo market's exchange id says what it is). */
export function symbolLabel(symbol: Pick<MarketSymbol, "name" | "exchange">): string {
  return `${symbol.name} · ${symbol.exchange}`;
}
