// How the bots pages write numbers and times: money with its unit and sign, UTC with the local
// time on hover (components/Cells.tsx).
const pad = (n: number) => String(n).padStart(2, "0");

export function utcText(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

export function localText(epochSeconds: number): string {
  return `local: ${new Date(epochSeconds * 1000).toLocaleString()}`;
}

/** "1,234.56 USDT"; "+12.30 USDT" with `signed`; "—" for nothing. */
export function moneyText(value: string | number | null | undefined, unit: string, signed = false): string {
  if (value === null || value === undefined || value === "") return "—";
  const n = Number(value);
  if (!Number.isFinite(n)) return "—";
  const text = Math.abs(n).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const sign = n < 0 ? "-" : signed && n > 0 ? "+" : "";
  return `${sign}${text} ${unit}`;
}

export function numberText(value: string | number | null | undefined, digits = 6): string {
  if (value === null || value === undefined || value === "") return "—";
  const n = Number(value);
  return Number.isFinite(n) ? n.toLocaleString("en-US", { maximumSignificantDigits: digits }) : "—";
}

export function percentText(fraction: number | null | undefined, signed = false): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "—";
  const sign = signed && fraction > 0 ? "+" : "";
  return `${sign}${(fraction * 100).toFixed(2)} %`;
}

export const tone = (value: string | number | null | undefined) => {
  const n = Number(value);
  return !Number.isFinite(n) || n === 0 ? "" : n > 0 ? "up" : "down";
};

/** The quote currency of a symbol like BTCUSDT (the unit of its money). */
export function quoteOf(symbol: string): string {
  for (const quote of ["USDT", "USDC", "BUSD", "FDUSD", "EUR", "USD", "BTC", "ETH"]) {
    if (symbol.endsWith(quote) && symbol.length > quote.length) return quote;
  }
  return "";
}
