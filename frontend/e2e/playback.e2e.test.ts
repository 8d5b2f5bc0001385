import type { Browser, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { MarketSymbol, StrategyRun } from "../src/lib/api-types";
import {
  chartState,
  cursorTime,
  manageBrowser,
  newPage,
  openApp,
  screenshot,
  setSliderIndex,
  sleep,
  waitForChart,
  waitForTimeframe,
} from "./support/browser";
import { primarySymbol, strategyRun } from "./support/data";

const HOUR = 3600;
let browser: Browser;
let page: Page;
let symbol: MarketSymbol;
let hourly: StrategyRun; // the latest 500 1h candles, as the page loads them by default
let times: number[];

manageBrowser(
  (launched) => (browser = launched),
  () => page,
);

beforeAll(async () => {
  symbol = await primarySymbol();
  hourly = await strategyRun({ symbol: symbol.name, timeframe: "1h", limit: 500 });
  times = hourly.candles.map((c) => c.time);
});

async function open(query: Record<string, string | number> = {}) {
  page = await newPage(browser);
  await openApp(page, { symbol: symbol.name, timeframe: "1h", ...query });
  await waitForChart(page);
  await waitForTimeframe(page, (query.timeframe as string | undefined) ?? "1h");
}

const at = (i: number) => times[i] as number;

describe("replay of real candles", () => {
  it("loads the symbol's 1h candles with every line, the markers and the data-source badge", async () => {
    // Without a chosen moment the replay opens halfway through, not on the outcome.
    await open();
    const start = Math.floor((times.length - 1) / 2);
    expect(await cursorTime(page)).toBe(at(start));
    expect((await chartState(page)).visibleCandles).toBe(start + 1);
    expect(await page.getByTestId("last-candle-verdict").count()).toBe(0); // no spoilers
    await page.waitForURL((url) => url.searchParams.get("t") === String(at(start)));

    await page.keyboard.press("End");
    await page.waitForFunction((last) => window.__chart?.lastCandleTime() === last, times.at(-1)!);
    const chart = await chartState(page);
    expect(chart.visibleCandles).toBe(times.length);
    expect(await cursorTime(page)).toBe(times.at(-1));
    expect(Object.keys(chart.lines).sort()).toEqual(["hma1h", "hma4h", "sma"]);
    expect(chart.lines.sma).toBeCloseTo(hourly.sma?.at(-1) as number, 6);
    expect(chart.markers.length).toBeGreaterThan(0);
    await page.getByTestId("last-candle-verdict").waitFor(); // at the end, the verdict is no spoiler
    // The legend: the change from the previous close, and the volume.
    const [before, last] = hourly.candles.slice(-2);
    const change = ((last!.close - before!.close) / before!.close) * 100;
    const sign = change < 0 && change.toFixed(2) !== "-0.00" ? "-" : "+";
    expect(await page.getByTestId("legend-change").textContent()).toBe(`${sign}${Math.abs(change).toFixed(2)}%`);
    expect(await page.getByTestId("legend-volume").textContent()).toMatch(/^Vol [\d,.]+$/);
    const badge = page.getByTestId("data-source-badge");
    expect(await badge.textContent()).toBe(symbol.simulated ? "SIMULATED data" : `Real exchange data (${symbol.exchange})`);
    expect(await page.getByTestId("panel-close").textContent()).not.toBe("—");
    await page.waitForURL((url) => url.searchParams.get("t") === String(times.at(-1)));
    await screenshot(page, "01-loaded-1h");
  });

  it("picks the start on the chart in select-bar mode, then goes to the first and last bars with Home / End", async () => {
    await open({ t: at(300) });
    expect(await page.getByTestId("last-candle-verdict").count()).toBe(0);
    await page.getByTestId("select-bar").click();
    await page.getByTestId("select-bar-hint").waitFor();
    // Every candle is shown to choose from; the panels stay at the cursor.
    await page.waitForFunction((count) => window.__chart?.visibleCandles() === count, times.length);
    expect(await cursorTime(page)).toBe(at(300));
    expect(await page.getByTestId("last-candle-verdict").count()).toBe(0);
    await screenshot(page, "10-select-bar");

    const chosen = times.length - 60; // in the opening view (the newest 180 slots)
    const x = await page.evaluate((time) => window.__chart!.xOf(time), at(chosen));
    expect(x).not.toBeNull();
    const box = (await page.getByTestId("chart").boundingBox())!;
    await page.mouse.click(box.x + x!, box.y + box.height / 2);
    await page.getByTestId("select-bar-hint").waitFor({ state: "detached" });
    await page.waitForFunction((count) => window.__chart?.visibleCandles() === count, chosen + 1);
    expect(await cursorTime(page)).toBe(at(chosen));
    expect((await chartState(page)).lastCandleTime).toBe(at(chosen)); // the future is cut off
    await page.waitForURL((url) => url.searchParams.get("t") === String(at(chosen)));
    expect(await page.getByTestId("last-candle-verdict").count()).toBe(0);
    await screenshot(page, "11-select-bar-picked");

    await page.keyboard.press("Home");
    await page.waitForFunction((first) => window.__chart?.lastCandleTime() === first, at(0));
    expect(await cursorTime(page)).toBe(at(0));
    await page.keyboard.press("End");
    await page.waitForFunction((last) => window.__chart?.lastCandleTime() === last, times.at(-1)!);
    expect(await cursorTime(page)).toBe(times.at(-1));
    await page.getByTestId("last-candle-verdict").waitFor();

    // Escape leaves select-bar mode without moving.
    await page.getByTestId("select-bar").click();
    await page.getByTestId("select-bar-hint").waitFor();
    await page.keyboard.press("Escape");
    await page.getByTestId("select-bar-hint").waitFor({ state: "detached" });
    expect(await cursorTime(page)).toBe(times.at(-1));
  });

  it("offers select-bar on a phone", async () => {
    page = await newPage(browser);
    await page.setViewportSize({ width: 390, height: 844 });
    await openApp(page, { symbol: symbol.name, timeframe: "1h", t: at(300) });
    await waitForTimeframe(page, "1h");
    const button = page.getByTestId("select-bar");
    await button.scrollIntoViewIfNeeded();
    const box = (await button.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390); // reachable without scrolling sideways
    await button.click();
    await page.getByTestId("select-bar-hint").waitFor();
    await page.getByTestId("chart").scrollIntoViewIfNeeded();
    await screenshot(page, "15-select-bar-390");
  });

  it("draws the 5m SMA the signals use on the 1h chart when asked", async () => {
    await open({ t: times.at(-1)! });
    expect(Object.keys((await chartState(page)).lines)).not.toContain("baseSma");
    await page.getByTestId("base-sma-toggle").check();
    await page.waitForFunction(() => "baseSma" in (window.__chart?.lines() ?? {}));
    const lines = (await chartState(page)).lines;
    expect(lines.baseSma).toBeCloseTo(hourly.base_indicators!.sma!.at(-1) as number, 6);
    expect(lines.baseSma).not.toBeCloseTo(lines.sma!, 2); // another line than the 1h SMA
    expect(await page.getByTestId("panel-base-sma").textContent()).not.toBe("—");
    await screenshot(page, "12-base-sma");
    await page.getByTestId("base-sma-toggle").uncheck();
    await page.waitForFunction(() => !("baseSma" in (window.__chart?.lines() ?? {})));
  });

  it("plays and pauses, showing only the candles up to the cursor", async () => {
    await open({ t: at(100) });
    expect((await chartState(page)).visibleCandles).toBe(101);
    await page.getByTestId("speed-select").selectOption("16");
    await page.getByTestId("play").click();
    await page.getByTestId("pause").waitFor();
    await page.waitForFunction((start) => (window.__chart?.lastCandleTime() ?? 0) > start + 5 * 3600, at(100));
    await page.getByTestId("pause").click();
    await page.getByTestId("play").waitFor();
    const paused = await cursorTime(page);
    await sleep(400);
    expect(await cursorTime(page)).toBe(paused);
    const chart = await chartState(page);
    expect(chart.lastCandleTime).toBe(paused);
    expect(chart.visibleCandles).toBe(times.indexOf(paused) + 1);
    expect(chart.markers.every((m) => m.time <= paused)).toBe(true);
    // Paused: the URL now carries the cursor, so the link reproduces this moment.
    await page.waitForURL((url) => url.searchParams.get("t") === String(paused));
    await screenshot(page, "02-paused");
  });

  it("steps forward and back by exactly one candle, with buttons and keys", async () => {
    await open({ t: at(200) });
    await page.getByTestId("step-forward").click();
    expect(await cursorTime(page)).toBe(at(201));
    expect((await chartState(page)).visibleCandles).toBe(202);
    await page.getByTestId("step-back").click();
    await page.getByTestId("step-back").click();
    expect(await cursorTime(page)).toBe(at(199));
    expect((await chartState(page)).lastCandleTime).toBe(at(199));

    await page.keyboard.press("ArrowRight");
    expect(await cursorTime(page)).toBe(at(200));
    await page.keyboard.press("ArrowLeft");
    expect(await cursorTime(page)).toBe(at(199));
    // Space toggles playback, also while a control button has the focus.
    await page.keyboard.press(" ");
    await page.getByTestId("pause").waitFor();
    await page.keyboard.press(" ");
    await page.getByTestId("play").waitFor();
    expect(await cursorTime(page)).toBeGreaterThanOrEqual(at(199));
  });

  it("scrubs with the slider, forward and back", async () => {
    await open({ t: at(50) });
    const slider = page.getByTestId("slider");
    const box = await slider.boundingBox();
    if (!box) throw new Error("slider not visible");
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
    const forward = await cursorTime(page);
    const forwardIndex = times.indexOf(forward);
    expect(Math.abs(forwardIndex - 0.75 * (times.length - 1))).toBeLessThan(times.length * 0.03);
    expect(await chartState(page)).toMatchObject({ visibleCandles: forwardIndex + 1, lastCandleTime: forward });

    await page.mouse.click(box.x + box.width * 0.25, box.y + box.height / 2);
    const back = await cursorTime(page);
    expect(back).toBeLessThan(forward);
    expect(await chartState(page)).toMatchObject({ visibleCandles: times.indexOf(back) + 1, lastCandleTime: back });

    await setSliderIndex(page, 123);
    expect(await cursorTime(page)).toBe(at(123));
    expect((await chartState(page)).visibleCandles).toBe(124);
    await screenshot(page, "03-scrubbed");
  });

  it("keeps the cursor's moment when the timeframe changes", async () => {
    // A cursor at 10:00 or similar (not on a 4h boundary) a week before the latest candle.
    const index = times.findIndex((t, i) => i > 300 && (t / HOUR) % 4 === 2);
    const moment = at(index);
    await open({ t: moment });

    await page.getByTestId("timeframe-select").selectOption("4h");
    await waitForTimeframe(page, "4h");
    const fourHour = await cursorTime(page);
    expect(fourHour).toBeLessThanOrEqual(moment);
    expect(moment).toBeLessThan(fourHour + 4 * HOUR);
    expect(fourHour % (4 * HOUR)).toBe(0);
    await screenshot(page, "04-timeframe-4h");

    // 500 15m candles span 5 days: the window moves (an end date appears) so the moment stays in it.
    await page.getByTestId("timeframe-select").selectOption("15m");
    await waitForTimeframe(page, "15m");
    const quarter = await cursorTime(page);
    expect(quarter).toBeLessThanOrEqual(fourHour + 4 * HOUR);
    expect(quarter).toBe(fourHour); // the 15m candle containing the 4h candle's open
    expect(await page.getByTestId("end-input").inputValue()).not.toBe("");
    expect((await chartState(page)).lastCandleTime).toBe(quarter);

    await page.getByTestId("timeframe-select").selectOption("1h");
    await waitForTimeframe(page, "1h");
    expect(await cursorTime(page)).toBe(fourHour);
    await screenshot(page, "05-timeframe-back-to-1h");
  });

  it("applies a start/end date filter", async () => {
    await open();
    const start = hourly.candles[0]!.time + 2 * 86_400;
    const end = start + 2 * 86_400;
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 16);
    await page.getByTestId("start-input").fill(iso(start));
    await page.getByTestId("end-input").fill(iso(end));
    await page.getByTestId("reload").click();
    await page.waitForFunction((last) => window.__chart?.lastCandleTime() === last, end);
    await waitForTimeframe(page, "1h");
    const chart = await chartState(page);
    expect(chart.visibleCandles).toBe(49); // both ends included
    expect(await cursorTime(page)).toBe(end);
    const url = new URL(page.url());
    expect(url.searchParams.get("start")).toBe(iso(start));
    expect(url.searchParams.get("end")).toBe(iso(end));
    await screenshot(page, "06-date-filter");
  });

  it("shows markers as playback passes an entry", async () => {
    // The first displayed candle (after some history) that holds an entry, with none on the one before.
    const markerTimes = new Set(hourly.entries.map((e) => e.time));
    const entryIndex = times.findIndex((t, i) => i > 20 && markerTimes.has(t) && !markerTimes.has(at(i - 1)));
    expect(entryIndex).toBeGreaterThan(0);
    await open({ t: at(entryIndex - 1) });
    const before = await chartState(page);
    expect(before.markers.every((m) => m.time < at(entryIndex))).toBe(true);
    const entriesBefore = Number(await page.getByTestId("entries-count").textContent());

    await page.getByTestId("speed-select").selectOption("2");
    await page.getByTestId("play").click();
    await page.waitForFunction((count) => (window.__chart?.markers().length ?? 0) > count, before.markers.length);
    await page.getByTestId("pause").click();
    const after = await chartState(page);
    const cursor = await cursorTime(page);
    expect(after.markers.every((m) => m.time <= cursor)).toBe(true);
    const appeared = after.markers.filter((m) => m.time === at(entryIndex));
    const expectedSides = [...new Set(hourly.entries.filter((e) => e.time === at(entryIndex)).map((e) => e.side))];
    expect(appeared.map((m) => m.side).sort()).toEqual(expectedSides.sort());
    expect(Number(await page.getByTestId("entries-count").textContent())).toBeGreaterThan(entriesBefore);
    await screenshot(page, "07-marker-appeared");
  });

  it("flips the side panel's setup flag when a setup turns on", async () => {
    const flip = hourly.timeline.findIndex((p, i) => i > 0 && p.long && !hourly.timeline[i - 1]!.long);
    const side = flip > 0 ? "long" : "short";
    const index = flip > 0 ? flip : hourly.timeline.findIndex((p, i) => i > 0 && p.short && !hourly.timeline[i - 1]!.short);
    expect(index).toBeGreaterThan(0);
    await open({ t: at(index - 1) });
    const flag = page.getByTestId(`${side}-active`);
    expect(await flag.getAttribute("data-active")).toBe("false");
    await page.keyboard.press("ArrowRight");
    expect(await flag.getAttribute("data-active")).toBe("true");
    expect(await cursorTime(page)).toBe(at(index));
    await page.keyboard.press("ArrowLeft");
    expect(await flag.getAttribute("data-active")).toBe("false");
    await page.keyboard.press("ArrowRight");
    await screenshot(page, "08-setup-active");
  });

  it("warns that indicators are empty when the window starts at the first stored candle", async () => {
    const first = symbol.timeframes.find((t) => t.timeframe === "1h")!.first;
    await open({ start: new Date(first * 1000).toISOString().slice(0, 10) });
    await page.getByTestId("warmup-banner").waitFor();
    expect(await page.getByTestId("warmup-banner").textContent()).toContain("python manage.py fetch_ohlcv");
    expect(await page.getByTestId("panel-time").textContent()).not.toBe("");
    await page.getByTestId("slider").evaluate((el) => (el as HTMLInputElement).blur());
    await setSliderIndex(page, 0);
    expect(await page.getByTestId("panel-sma").textContent()).toBe("—");
    await screenshot(page, "09-warmup-banner");
  });
});
