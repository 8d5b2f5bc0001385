// The run page's risk section rendered to HTML (react-dom/server, no browser): what it says for a
// report with blocked entries and a kill switch, for none blocked, and for a run without a profile.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { BlockedEntries } from "./BlockedEntries";

const render = (props: Parameters<typeof BlockedEntries>[0]) => renderToStaticMarkup(createElement(BlockedEntries, props));
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

const REPORT = {
  blocked: { drawdown: 82, cooldown: 1234 },
  blocked_total: 1300,
  examples: { drawdown: "drawdown kill switch: equity 9,713.03 is 5.012% below its peak 10,225.54 (limit 5%)", cooldown: "cooldown: 6 of 12 bars after a stop-loss" },
  sized_by: { max_position_fraction: 13 },
  sizes: { min: 0.07122, max: 0.07849, mean: 0.0739 },
  kill_switch: { time: 1709952300, bar: 2336, reason: "drawdown kill switch: equity 9,713.03 is 5.012% below its peak" },
};

describe("BlockedEntries", () => {
  it("lists each rule's count (grouped, most first), the total, the kill switch in UTC with local time on hover", () => {
    const html = render({ report: REPORT, limits: { id: 3, name: "Tight" }, baseAsset: "BTC" });
    const words = text(html);
    expect(words).toContain("Risk profile “Tight”");
    expect(words).toMatch(/Cooldown after a stop-loss 1,234 cooldown: 6 of 12 bars .* Drawdown kill switch 82 /);
    expect(words).toContain("Total (an entry refused by two rules counts once) 1,300");
    expect(words).toContain("Kill switch at 2024-03-09 02:45 UTC");
    expect(html).toMatch(/<time dateTime="2024-03-09T02:45:00.000Z" title="local time: /);
    expect(words).toContain("Sized 13 by the max position cap · sizes 0.07122 – 0.07849 BTC (mean 0.0739)");
  });

  it("says so when nothing was blocked", () => {
    const words = text(render({ report: { ...REPORT, blocked: {}, blocked_total: 0, kill_switch: null }, limits: { name: "Loose" } }));
    expect(words).toContain("No entry was blocked");
    expect(words).not.toContain("Kill switch");
  });

  it("shows nothing for a run without a profile, and waits for the report of a run with one", () => {
    expect(render({ report: null, limits: null })).toBe("");
    expect(text(render({ report: null, limits: { name: "Tight" } }))).toContain("Blocked entries show here once the run is done");
  });
});
