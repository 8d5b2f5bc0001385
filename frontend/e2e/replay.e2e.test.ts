// The backtest replay under load (docs/backtesting.md, "Replay over WebSocket"): at "max" the
// browser sets the pace (credit per frame), Pause stops the chart and it stays stopped, seek while
// paused redraws the chart, time and equity, and a socket killed on the server side shows the
// banner, reconnects and resumes with every candle exactly once. How soon Pause takes effect is
// a `make bench` figure (bench/browser.py), not asserted here.
import { execFileSync } from "node:child_process";
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { manageBrowser, newPage, openApp, screenshot, sleep } from "./support/browser";
import { BASE_URL } from "./support/env";

const USERNAME = process.env.E2E_USERNAME ?? "demo";
const PASSWORD = process.env.E2E_PASSWORD ?? "demo-pass-123";
const FIVE_MINUTES = 300;

let browser: Browser;
let page: Page;

manageBrowser(
  (launched) => (browser = launched),
  () => page,
);

const stream = () => page.evaluate(() => window.__replayChart!.stream());
const chartCandles = () => page.evaluate(() => window.__replayChart!.candles());

/** Kills the server's end of every TCP connection on its port (as a crash or a proxy would):
 * the browser sees the socket drop without a close frame. Needs root, as `make test` runs. */
function killServerSockets() {
  const port = new URL(BASE_URL).port;
  execFileSync("ss", ["-K", "-t", "state", "established", `( sport = :${port} )`], { stdio: "pipe" });
}

describe("replay under load", () => {
  it("paces max by the browser, pauses and stays paused, redraws a seek and survives a killed socket", async () => {
    page = await newPage(browser);
    await openApp(page, { page: "backtests" });
    await page.getByTestId("login-form").waitFor();
    await page.locator('input[name="username"]').fill(USERNAME);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByTestId("login-submit").click();
    await page.getByTestId("run-form").waitFor();
    await page.getByTestId("strategy-select").selectOption("ema-cross");
    await page.getByTestId("bt-symbol").selectOption("binance:BTCUSDT");
    await page.getByTestId("bt-start").fill("2024-01-01");
    await page.getByTestId("bt-end").fill("2024-03-01"); // 17,280 5m candles
    await page.getByTestId("run-submit").click();
    await page.locator('[data-testid="run-details"][data-status="done"]').waitFor({ timeout: 90_000 });

    await page.getByTestId("replay-open").click();
    const panel = page.getByTestId("replay-panel");
    const total = 17_280;
    await page.locator(`[data-testid="replay-panel"][data-connection="open"][data-total="${total}"]`).waitFor();

    // --- max: as fast as this browser draws, then Pause: the chart stops and stays stopped -----
    await page.getByTestId("replay-speed").selectOption("max");
    await page.waitForFunction(() => (window.__replayChart?.stream().received ?? 0) > 3_000, undefined, { timeout: 60_000 });
    await page.getByTestId("replay-pause").click();
    await page.locator('[data-testid="replay-panel"][data-phase="paused"]').waitFor();
    // Batches already granted may still land just after the click: what counts is that it stops.
    const pausedAt = await page.evaluate(async () => {
      const chart = window.__replayChart!;
      let last = chart.lastTime();
      for (let settled = 0; settled < 30; settled += 1) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        if (chart.lastTime() !== last) [last, settled] = [chart.lastTime(), 0];
      }
      return last;
    });
    const pausedIndex = Number(await panel.getAttribute("data-index"));
    expect(pausedIndex).toBeLessThan(total); // stopped short of the end
    await sleep(1_000);
    expect(await page.evaluate(() => window.__replayChart!.lastTime())).toBe(pausedAt);
    expect(Number(await panel.getAttribute("data-index"))).toBe(pausedIndex);
    expect(await panel.getAttribute("data-phase")).toBe("paused");

    // --- seek while paused: chart, time and equity at the new position ------------------------
    const equityBefore = await page.getByTestId("replay-equity").textContent();
    const target = Date.UTC(2024, 1, 20, 0, 0) / 1000; // candle 14,976
    const targetIndex = (target - Date.UTC(2024, 0, 1) / 1000) / FIVE_MINUTES;
    await page.getByTestId("replay-seek-time").fill("2024-02-20T00:00");
    await page.getByTestId("replay-seek").click();
    await page.locator(`[data-testid="replay-panel"][data-index="${targetIndex}"]`).waitFor();
    expect(await page.evaluate(() => window.__replayChart!.lastTime())).toBe(target - FIVE_MINUTES);
    expect(await page.getByTestId("replay-time").getAttribute("data-time")).toBe(String(target - FIVE_MINUTES));
    expect(await page.getByTestId("replay-equity").textContent()).not.toBe(equityBefore);
    expect(await panel.getAttribute("data-phase")).toBe("paused");
    const afterSeek = await chartCandles();
    expect(afterSeek).toBeGreaterThan(0);
    await screenshot(page, "23-replay-seek-while-paused");

    // --- a socket killed on the server: banner, reconnect, resume where it was -----------------
    await page.getByTestId("replay-speed").selectOption("500");
    await page.getByTestId("replay-resume").click();
    await page.waitForFunction((n) => (window.__replayChart?.candles() ?? 0) > n + 200, afterSeek);
    killServerSockets();
    await page.getByTestId("replay-banner").waitFor({ timeout: 20_000 });
    await screenshot(page, "24-replay-connection-lost");
    await page.locator('[data-testid="replay-panel"][data-connection="open"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("replay-banner").count()).toBe(0);
    await page.getByTestId("replay-speed").selectOption("max");
    await page.locator('[data-testid="replay-panel"][data-phase="end"]').waitFor({ timeout: 120_000 });

    const stats = await stream();
    expect(stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(stats.duplicates).toBe(0);
    expect(stats.gaps).toBe(0);
    // Every candle from the seek's history to the end is on the chart, once.
    const historyStart = targetIndex - afterSeek;
    expect(await chartCandles()).toBe(total - historyStart);
    expect(Number(await panel.getAttribute("data-index"))).toBe(total);
    expect(await page.getByTestId("replay-closed").count()).toBe(0);
  });
});
