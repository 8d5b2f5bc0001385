// The backtest replay under load (docs/backtesting.md, "Replay over WebSocket"): at "max" the
// browser sets the pace (credit per frame), Pause takes effect within 500 ms, no long task
// exceeds 200 ms, seek while paused redraws the chart, time and equity, and a socket killed on
// the server side shows the banner, reconnects and resumes with every candle exactly once.
import { execFileSync } from "node:child_process";
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { manageBrowser, newPage, openApp, screenshot } from "./support/browser";
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

declare global {
  interface Window {
    __longTasks?: number[];
    __longTaskObserver?: PerformanceObserver;
  }
}

const stream = () => page.evaluate(() => window.__replayChart!.stream());
const chartCandles = () => page.evaluate(() => window.__replayChart!.candles());

/** Kills the server's end of every TCP connection on its port (as a crash or a proxy would):
 * the browser sees the socket drop without a close frame. Needs root, as `make test` runs. */
function killServerSockets() {
  const port = new URL(BASE_URL).port;
  execFileSync("ss", ["-K", "-t", "state", "established", `( sport = :${port} )`], { stdio: "pipe" });
}

describe("replay under load", () => {
  it("paces max by the browser, pauses at once, redraws a seek and survives a killed socket", async () => {
    page = await newPage(browser);
    await openApp(page, { page: "backtests" });
    await page.getByTestId("login-form").waitFor();
    await page.locator('input[name="username"]').fill(USERNAME);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByTestId("login-submit").click();
    await page.getByTestId("run-form").waitFor();
    await page.getByTestId("strategy-select").selectOption("ema-cross");
    await page.getByTestId("bt-symbol").selectOption("BTCUSDT");
    await page.getByTestId("bt-start").fill("2024-01-01");
    await page.getByTestId("bt-end").fill("2024-03-01"); // 17,280 5m candles
    await page.getByTestId("run-submit").click();
    await page.locator('[data-testid="run-details"][data-status="done"]').waitFor({ timeout: 90_000 });

    await page.getByTestId("replay-open").click();
    const panel = page.getByTestId("replay-panel");
    const total = 17_280;
    await page.locator(`[data-testid="replay-panel"][data-connection="open"][data-total="${total}"]`).waitFor();

    // --- max: as fast as this browser draws, and Pause within 500 ms --------------------------
    await page.evaluate(() => {
      window.__longTasks = [];
      // Held by window: an observer nothing refers to can be garbage-collected mid-test.
      window.__longTaskObserver = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longTasks!.push(entry.duration);
      });
      window.__longTaskObserver.observe({ type: "longtask" });
    });
    await page.getByTestId("replay-speed").selectOption("max");
    await page.waitForFunction(() => (window.__replayChart?.stream().received ?? 0) > 3_000, undefined, { timeout: 60_000 });
    const pauseLatencyMs = await page.evaluate(async () => {
      const chart = window.__replayChart!;
      const button = document.querySelector<HTMLButtonElement>('[data-testid="replay-pause"]')!;
      const clickedAt = performance.now();
      button.click();
      // The last candle on the chart, frame by frame: when did it last move?
      let last = chart.lastTime();
      let lastChange = clickedAt;
      while (performance.now() < clickedAt + 1_500) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        if (chart.lastTime() !== last) {
          last = chart.lastTime();
          lastChange = performance.now();
        }
      }
      return lastChange - clickedAt;
    });
    console.log(`replay: Pause took effect ${pauseLatencyMs.toFixed(0)} ms after the click at "max"`);
    expect(pauseLatencyMs).toBeLessThan(500);
    await page.locator('[data-testid="replay-panel"][data-phase="paused"]').waitFor();
    expect(Number(await panel.getAttribute("data-index"))).toBeLessThan(total); // stopped short of the end

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

    const longTasks = await page.evaluate(() => [...(window.__longTasks ?? [])]);
    const longest = Math.max(0, ...longTasks);
    console.log(`replay: ${longTasks.length} long tasks, the longest ${longest.toFixed(0)} ms`);
    expect(longest).toBeLessThan(200);
    // The observer does see long tasks: a deliberate 120 ms one is reported.
    await page.evaluate(() =>
      setTimeout(() => {
        const began = performance.now();
        while (performance.now() - began < 120);
      }, 0),
    );
    await page.waitForFunction((n) => (window.__longTasks?.length ?? 0) > n, longTasks.length);
  });
});
