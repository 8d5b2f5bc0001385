// The replay on the largest window: 10,000 5m candles with every line and marker drawn, then
// 2,000 of them played at "max" to the last candle with frames drawn all along and the JS heap
// bounded. How fast (render time, frame times against the idle page) is measured by `make bench`
// (bench/browser.py), never asserted here: this machine is shared.
import type { Browser, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chartState, cursorTime, launchBrowser, newPage, openApp, pageErrors, screenshot, setSliderIndex, waitForTimeframe } from "./support/browser";
import { primarySymbol } from "./support/data";

// The run endpoint's maximum; fewer when fewer 5m candles are stored (demo data).
const WANTED_CANDLES = 10_000;
const WANTED_PLAYED_CANDLES = 2_000;
// A leak keeps what every played candle allocated; a flat heap moves by a few MiB. Generous: the
// garbage collector's timing varies from run to run.
const HEAP_GROWTH_LIMIT_MIB = 64;
const AFTER_EVERY_CANDLE = 4_102_444_800; // 2100-01-01, epoch s: a replay moment after any window
let CANDLES = WANTED_CANDLES;
let PLAYED_CANDLES = WANTED_PLAYED_CANDLES;

let browser: Browser;
let page: Page;
let cdp: CDPSession;

async function heapUsedBytes(): Promise<number> {
  await cdp.send("HeapProfiler.collectGarbage");
  const { metrics } = await cdp.send("Performance.getMetrics");
  const heap = metrics.find((m) => m.name === "JSHeapUsedSize");
  if (!heap) throw new Error("no JSHeapUsedSize metric");
  return heap.value;
}

beforeAll(async () => {
  browser = await launchBrowser();
  page = await newPage(browser);
  cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
});

afterAll(async () => {
  await browser?.close();
});

describe("the largest window: 10,000 5m candles", () => {
  it("draws 10,000 candles with all lines and markers", async () => {
    const symbol = await primarySymbol();
    const stored = symbol.timeframes.find((t) => t.timeframe === "5m")?.count ?? 0;
    CANDLES = Math.min(WANTED_CANDLES, stored);
    PLAYED_CANDLES = Math.min(WANTED_PLAYED_CANDLES, CANDLES - 1);
    expect(CANDLES, "the test needs stored 5m candles").toBeGreaterThan(100);
    // t after the window: every candle drawn (without one the replay opens halfway).
    await openApp(page, { symbol: symbol.name, timeframe: "5m", limit: CANDLES, t: AFTER_EVERY_CANDLE });
    await page.waitForFunction((count) => window.__chart?.visibleCandles() === count, CANDLES, { timeout: 60_000 });
    await waitForTimeframe(page, "5m");
    await page.waitForFunction(() => performance.getEntriesByName("chart:rendered").length > 0);
    const chart = await chartState(page);
    expect(chart.visibleCandles).toBe(CANDLES);
    expect(Object.keys(chart.lines)).toHaveLength(3);
    expect(chart.markers.length).toBeGreaterThan(0);
    await screenshot(page, "13-perf-first-render");
  });

  it("plays 2,000 candles at max speed to the end, drawing frames, with a bounded heap", async () => {
    const start = CANDLES - PLAYED_CANDLES - 1;
    await setSliderIndex(page, start);
    await page.waitForFunction((count) => window.__chart?.visibleCandles() === count, start + 1);
    const lastTime = await page.evaluate(() => window.__chart?.lastCandleTime() ?? -1);
    await page.getByTestId("speed-select").selectOption("max");
    const heapBefore = await heapUsedBytes();

    // Frames the page draws while playing, counted by a requestAnimationFrame loop of its own.
    await page.evaluate(() => {
      const state = { frames: 0, running: true };
      (window as unknown as { __frames: typeof state }).__frames = state;
      requestAnimationFrame(function onFrame() {
        state.frames += 1;
        if (state.running) requestAnimationFrame(onFrame);
      });
    });
    await page.getByTestId("play").click();
    await page.getByTestId("pause").waitFor();
    // Playback stops by itself at the last candle.
    await page.getByTestId("play").waitFor({ timeout: 90_000 });
    const frames = await page.evaluate(() => {
      const state = (window as unknown as { __frames: { frames: number; running: boolean } }).__frames;
      state.running = false;
      return state.frames;
    });
    // Paused at the end, the chart holds the whole history again.
    await page.waitForFunction((count) => window.__chart?.visibleCandles() === count, CANDLES);
    const heapAfter = await heapUsedBytes();

    expect(await cursorTime(page)).toBe((await chartState(page)).lastCandleTime);
    expect(await cursorTime(page)).toBeGreaterThan(lastTime);
    expect(frames).toBeGreaterThan(0);
    expect((heapAfter - heapBefore) / 2 ** 20).toBeLessThan(HEAP_GROWTH_LIMIT_MIB);
    expect(pageErrors(page)).toEqual([]);
    await screenshot(page, "14-perf-after-max-playback");
  });
});
