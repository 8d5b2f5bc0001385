// A connection check's answer and an account's last check, in words and rows. Pure: unit tested.
import type { Balance, LastCheck } from "../api/types";

export interface BalanceRow {
  asset: string;
  free: string;
  used: string;
  total: string;
}

/** "10000.00000000" -> "10,000"; "0.50000000" -> "0.5": the exchange's decimal, grouped, no float. */
export function formatDecimal(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return text;
  const [, sign, whole, fraction = ""] = match;
  const grouped = whole!.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const decimals = fraction.replace(/0+$/, "");
  return `${sign}${grouped}${decimals ? `.${decimals}` : ""}`;
}

/** One row per asset, alphabetical (amounts are decimal strings: sorting them by size would need parsing). */
export function balanceRows(balances: Record<string, Balance>): BalanceRow[] {
  return Object.entries(balances)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([asset, balance]) => ({
      asset,
      free: formatDecimal(balance.free),
      used: formatDecimal(balance.used),
      total: formatDecimal(balance.total),
    }));
}

export type CheckTone = "ok" | "failed" | "never";

/** What the list says about an account's last check. */
export function lastCheckSummary(check: LastCheck): { tone: CheckTone; text: string } {
  if (check.ok === null || !check.at) return { tone: "never", text: "Not checked yet: press Check to test the key." };
  return { tone: check.ok ? "ok" : "failed", text: check.message || (check.ok ? "Connected." : "The exchange refused.") };
}

/** What to do about a refusal, by its reason (docs/exchanges.md); "" when there is nothing to add. */
export function checkAdvice(reason: string): string {
  switch (reason) {
    case "invalid_key":
      return "Check the key on the exchange: it must exist, be enabled and allow reading and spot trading.";
    case "bad_signature":
      return "The secret does not match the key: Replace keys with the key's own secret, then check again.";
    case "ip_not_allowed":
      return "Add this server's IP address to the key's whitelist on the exchange, then check again.";
    case "clock_skew":
      return "Synchronise this server's clock (NTP), then check again.";
    case "unreachable":
    case "rate_limited":
      return "Nothing is wrong with the key as far as we know: check again in a minute.";
    case "undecryptable":
      return "The server's encryption keys no longer include the one these credentials were stored with: Replace keys, then check again.";
    default:
      return "";
  }
}
