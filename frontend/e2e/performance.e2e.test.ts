// Prints (and writes to test-artifacts/perf.json) how fast the replay is on the largest window:
// the first render of 10,000 5m candles with every line and marker, the frame times while playing
// at "max" over 2,000 candles, and the JS heap before and after. Bounds are generous: this machine
// is shared and headless Chromium renders without a GPU; the figures are what matters.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS_DIR } from "./support/env";
import { chartState, cursorTime, launchBrowser, newPage, openApp, pageErrors, screenshot, setSliderIndex, waitForTimeframe } from "./support/browser";
import { primarySymbol } from "./support/data";

// The run endpoint's maximum; fewer when fewer 5m candles are stored (demo data).
const WANTED_CANDLES = 10_000;
const WANTED_PLAYED_CANDLES = 2_000;
let CANDLES = WANTED_CANDLES;
let PLAYED_CANDLES = WANTED_PLAYED_CANDLES;

interface Figure {
  name: string;
  value: number;
  unit: string;
}

let browser: Browser;
let page: Page;
let cdp: CDPSession;
const figures: Figure[] = [];

function record(name: string, value: number, unit: string) {
  const rounded = Math.round(value * 100) / 100;
  figures.push({ name, value: rounded, unit });
  console.log(`perf: ${name} = ${rounded} ${unit}`);
}

async function heapUsedBytes(): Promise<number> {
  await cdp.send("HeapProfiler.collectGarbage");
  const { metrics } = await cdp.send("Performance.getMetrics");
  const heap = metrics.find((m) => m.name === "JSHeapUsedSize");
  if (!heap) throw new Error("no JSHeapUsedSize metric");
  return heap.value;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

beforeAll(async () => {
  browser = await launchBrowser();
  page = await newPage(browser);
  cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
});

afterAll(async () => {
  const path = fileURLToPath(new URL("perf.json", ARTIFACTS_DIR)); // other tests add their figures too
  const previous = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as object) : {};
  writeFileSync(path, `${JSON.stringify({ ...previous, ...figures }, null, 2)}\n`);
  await browser?.close();
});

describe("performance on 10,000 5m candles", () => {
  it("renders the first frame of 10,000 candles with all lines and markers quickly", async () => {
    const symbol = await primarySymbol();
    const stored = symbol.timeframes.find((t) => t.timeframe === "5m")?.count ?? 0;
    CANDLES = Math.min(WANTED_CANDLES, stored);
    PLAYED_CANDLES = Math.min(WANTED_PLAYED_CANDLES, CANDLES - 1);
    expect(CANDLES, "the performance test needs stored 5m candles").toBeGreaterThan(100);
    const started = Date.now();
    await openApp(page, { symbol: symbol.name, timeframe: "5m", limit: CANDLES });
    await page.waitForFunction((count) => window.__chart?.visibleCandles() === count, CANDLES, { timeout: 60_000 });
    await waitForTimeframe(page, "5m");
    await page.waitForFunction(() => performance.getEntriesByName("chart:rendered").length > 0);
    const renderMs = await page.evaluate(() => {
      const received = performance.getEntriesByName("strategy-run:received").at(-1);
      const rendered = performance.getEntriesByName("chart:rendered").at(-1);
      return rendered && received ? rendered.startTime - received.startTime : Number.NaN;
    });
    const chart = await chartState(page);
    expect(chart.visibleCandles).toBe(CANDLES);
    expect(Object.keys(chart.lines)).toHaveLength(3);
    record(`first_render_${CANDLES}_candles_after_api_response`, renderMs, "ms");
    record(`page_open_to_chart_${CANDLES}_candles`, Date.now() - started, "ms");
    record(`markers_on_chart_${CANDLES}_candles`, chart.markers.length, "count");
    expect(renderMs).toBeGreaterThan(0);
    expect(renderMs).toBeLessThan(5_000);
    await screenshot(page, "13-perf-first-render");
  });

  it("plays 2,000 candles at max speed with short frames and a flat heap", async () => {
    const start = CANDLES - PLAYED_CANDLES - 1;
    await setSliderIndex(page, start);
    await page.waitForFunction((count) => window.__chart?.visibleCandles() === count, start + 1);
    const lastTime = await page.evaluate(() => window.__chart?.lastCandleTime() ?? -1);
    await page.getByTestId("speed-select").selectOption("max");
    const heapBefore = await heapUsedBytes();

    // Frame intervals as the page sees them, from a requestAnimationFrame loop of its own.
    await page.evaluate(() => {
      const frames: number[] = [];
      let last = performance.now();
      const state = { frames, running: true };
      (window as unknown as { __frames: typeof state }).__frames = state;
      requestAnimationFrame(function onFrame(now) {
        frames.push(now - last);
        last = now;
        if (state.running) requestAnimationFrame(onFrame);
      });
    });
    const playStarted = Date.now();
    await page.getByTestId("play").click();
    await page.getByTestId("pause").waitFor();
    // Playback stops by itself at the last candle.
    await page.getByTestId("play").waitFor({ timeout: 90_000 });
    const playMs = Date.now() - playStarted;
    const frames = await page.evaluate(() => {
      const state = (window as unknown as { __frames: { frames: number[]; running: boolean } }).__frames;
      state.running = false;
      return state.frames.slice(1); // the first interval includes the click's own work
    });
    // Paused at the end, the chart holds the whole history again.
    await page.waitForFunction((count) => window.__chart?.visibleCandles() === count, CANDLES);
    const heapAfter = await heapUsedBytes();

    expect(await cursorTime(page)).toBe((await chartState(page)).lastCandleTime);
    expect(await cursorTime(page)).toBeGreaterThan(lastTime);
    record(`max_speed_frame_time_p95_${PLAYED_CANDLES}_candles`, percentile(frames, 95), "ms");
    record(`max_speed_frame_time_p50_${PLAYED_CANDLES}_candles`, percentile(frames, 50), "ms");
    record(`max_speed_frame_time_max_${PLAYED_CANDLES}_candles`, Math.max(...frames), "ms");
    record(`max_speed_frames_${PLAYED_CANDLES}_candles`, frames.length, "count");
    record("max_speed_candles_per_second", (PLAYED_CANDLES / playMs) * 1000, "candles/s");
    record("js_heap_used_before_playback", heapBefore / 2 ** 20, "MiB");
    record("js_heap_used_after_playback", heapAfter / 2 ** 20, "MiB");
    record("js_heap_growth_over_playback", (heapAfter - heapBefore) / 2 ** 20, "MiB");
    expect(percentile(frames, 95)).toBeLessThan(100);
    expect((heapAfter - heapBefore) / 2 ** 20).toBeLessThan(20);
    expect(pageErrors(page)).toEqual([]);
    await screenshot(page, "14-perf-after-max-playback");
  });
});
