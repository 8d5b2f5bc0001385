// The answer of a connection check rendered to HTML (react-dom/server, no browser).
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../api/types";
import { CheckAnswer } from "./CheckAnswer";

const render = (result: CheckResult) => renderToStaticMarkup(createElement(CheckAnswer, { result }));
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");

describe("CheckAnswer", () => {
  it("shows the balances, right-aligned with the asset as unit, and when it was checked", () => {
    const html = render({
      ok: true,
      reason: "",
      message: "Connected: 2 assets with a balance.",
      balances: { USDT: { free: "10000.00000000", used: "0", total: "10000.00000000" }, BTC: { free: "0.5", used: "0", total: "0.5" } },
      checked_at: "2026-11-28T18:00:00Z",
    });
    const words = text(html);
    expect(words).toContain("✓ Connected: 2 assets with a balance. checked 2026-11-28 18:00 UTC");
    expect(words).toMatch(/BTC 0.5 0 0.5 BTC USDT 10,000 0 10,000 USDT/);
    expect(html).toContain('data-ok="true"');
  });

  it("gives a refusal in words with what to do, and no balances", () => {
    const html = render({
      ok: false,
      reason: "clock_skew",
      message: "Timestamp outside recvWindow: this server's clock and the exchange's differ; synchronise the clock (NTP).",
      balances: {},
      checked_at: "2026-11-28T18:00:00Z",
    });
    const words = text(html);
    expect(words).toContain("✗ Timestamp outside recvWindow");
    expect(words).toContain("Synchronise this server's clock (NTP), then check again.");
    expect(html).not.toContain("account-balances");
    expect(html).toContain('data-reason="clock_skew"');
  });
});
