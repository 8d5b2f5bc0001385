// Number formatting for prices and volumes (en-US grouping, so "58,456.99" everywhere).
// Formatters are built once: toLocaleString builds one per call, which shows up while playing.

const priceFormats = new Map<number, Intl.NumberFormat>();
const volumeFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

function priceFormat(decimals: number): Intl.NumberFormat {
  let format = priceFormats.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    priceFormats.set(decimals, format);
  }
  return format;
}

/** Enough decimals to see a tick's move: 2 for BTC-sized prices, up to 8 for sub-cent coins. */
export function formatPrice(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 100 ? 2 : magnitude >= 1 ? 4 : magnitude >= 0.01 ? 6 : 8;
  return priceFormat(decimals).format(value);
}

export function formatVolume(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return volumeFormat.format(value);
}
