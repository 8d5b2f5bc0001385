// The browser figures of `make bench` (bench/browser.py starts the platform, prepares the data and
// reads the JSON this prints on its last line). Headless Chromium (Debian's, the e2e flags) on the
// e2e build (frontend/dist-e2e), whose read-only chart handles tell when the chart has drawn.
// Every figure comes with a reference measured on the same page in the same run:
// - the replay page's first render of CANDLES 5m candles, against REF_CANDLES of them (a page
//   load to warm up first);
// - its frame times while playing PLAYED candles at max, against the same page idle;
// - the Bots page's frame times with BOTS bots receiving 50 events/s, against it idle;
// - a backtest run's page: its candle chart's first render with the strategy's lines and every
//   trade's markers (about 1,000 trades on 100,000 candles), against the candles alone;
// - a backtest replay over WebSocket: frame times (p95 and the longest) at max against paused, and
//   how soon Pause shows (the first frame at the final position) at max against at 10 candles/s.
import { spawn } from "node:child_process";
import { chromium } from "playwright-core";

const env = process.env;
const BASE_URL = env.BENCH_BASE_URL;
const SYMBOL = env.BENCH_SYMBOL;
const CANDLES = Number(env.BENCH_CANDLES);
const AFTER_EVERY_CANDLE = 4_102_444_800; // 2100-01-01, epoch s: a replay moment after any window
const REF_CANDLES = Math.max(100, Math.round(CANDLES / 10));
const PLAYED = Number(env.BENCH_PLAYED_CANDLES);
const BOTS = Number(env.BENCH_BOTS);
const SECONDS = Number(env.BENCH_SECONDS);
const RUN_ID = env.BENCH_RUN_ID;
const CHART_RUN_ID = env.BENCH_CHART_RUN_ID;
const CHART_LOADS = 3; // loads per variant of the run page, interleaved; the median is kept
const USERNAME = env.BENCH_USERNAME;
const PASSWORD = env.BENCH_PASSWORD;
const FLOOD_RATE = 50; // equity messages per second, as the Bots page's e2e scenario sends

const pageErrors = [];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values, p) {
  if (values.length === 0) throw new Error("no frames were drawn");
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function launchBrowser() {
  return chromium.launch({
    executablePath: env.CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-dev-shm-usage",
    ],
  });
}

async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on("pageerror", (error) => pageErrors.push(error.message));
  return page;
}

async function signIn(page) {
  await page.goto(`${BASE_URL}/login`);
  await page.getByTestId("login-form").waitFor();
  await page.locator('input[name="username"]').fill(USERNAME);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.waitForURL((url) => url.pathname !== "/login");
}

/** Starts recording the intervals between the page's animation frames (ms). */
async function startFrames(page) {
  await page.evaluate(() => {
    const state = { intervals: [], running: true };
    window.__benchFrames = state;
    let last = performance.now();
    requestAnimationFrame(function onFrame(now) {
      state.intervals.push(now - last);
      last = now;
      if (state.running) requestAnimationFrame(onFrame);
    });
  });
}

/** Stops recording; the intervals, without the first (it includes the start's own work). */
async function stopFrames(page) {
  return page.evaluate(() => {
    window.__benchFrames.running = false;
    return window.__benchFrames.intervals.slice(1);
  });
}

async function idleFrames(page) {
  await startFrames(page);
  await sleep(SECONDS * 1000);
  return stopFrames(page);
}

async function heapUsedMiB(cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  const { metrics } = await cdp.send("Performance.getMetrics");
  return metrics.find((m) => m.name === "JSHeapUsedSize").value / 2 ** 20;
}

/** Opens the replay page on `limit` candles; ms from the API answer to the chart drawn. */
async function renderMs(page, limit) {
  // t after the window: every candle drawn (without one the replay opens halfway through).
  await page.goto(`${BASE_URL}/?symbol=${SYMBOL}&timeframe=5m&limit=${limit}&t=${AFTER_EVERY_CANDLE}`);
  await page.waitForFunction((count) => window.__chart?.visibleCandles() === count, limit);
  await page.locator('[data-testid="playback"][data-timeframe="5m"][data-ready="true"]').waitFor();
  await page.waitForFunction(() => performance.getEntriesByName("chart:rendered").length > 0);
  return page.evaluate(() => {
    const received = performance.getEntriesByName("strategy-run:received").at(-1);
    const rendered = performance.getEntriesByName("chart:rendered").at(-1);
    if (!received || !rendered) throw new Error("the chart's performance marks are missing");
    return rendered.startTime - received.startTime;
  });
}

async function replayPage(browser) {
  const page = await newPage(browser);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await renderMs(page, REF_CANDLES); // warm-up: the bundle's first parse and compile
  const renderReference = await renderMs(page, REF_CANDLES);
  const render = await renderMs(page, CANDLES);
  const idle = await idleFrames(page);

  const start = CANDLES - PLAYED - 1;
  await page.getByTestId("slider").evaluate((element, value) => {
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
    setValue.call(element, String(value));
    element.dispatchEvent(new Event("input", { bubbles: true }));
  }, start);
  await page.waitForFunction((count) => window.__chart?.visibleCandles() === count, start + 1);
  await page.getByTestId("speed-select").selectOption("max");
  const heapBefore = await heapUsedMiB(cdp);
  await startFrames(page);
  const began = Date.now();
  await page.getByTestId("play").click();
  await page.getByTestId("pause").waitFor();
  await page.getByTestId("play").waitFor({ timeout: 300_000 }); // it stops at the last candle
  const playedMs = Date.now() - began;
  const playing = await stopFrames(page);
  const heapAfter = await heapUsedMiB(cdp);
  await page.context().close();
  return {
    render_ms: render,
    render_reference_ms: renderReference,
    reference_candles: REF_CANDLES,
    play_frame_p95_ms: percentile(playing, 95),
    idle_frame_p95_ms: percentile(idle, 95),
    play_frames: playing.length,
    played_candles_per_second: (PLAYED / playedMs) * 1000,
    heap_growth_mib: heapAfter - heapBefore,
  };
}

/** Opens a run's page; ms from its chart's data received to the chart drawn with it all. */
async function runChartMs(page, query) {
  await page.goto(`${BASE_URL}/backtests/${CHART_RUN_ID}${query}`);
  await page.waitForFunction(() => performance.getEntriesByName("run-chart:rendered").length > 0, null, { timeout: 300_000 });
  return page.evaluate(() => {
    const received = performance.getEntriesByName("run-chart:received").at(-1);
    const rendered = performance.getEntriesByName("run-chart:rendered").at(-1);
    if (!received || !rendered) throw new Error("the run chart's performance marks are missing");
    return rendered.startTime - received.startTime;
  });
}

/** The run page's first render with the strategy's lines and every trade's markers, against the
 * same page with both layers hidden (`?hide=lines,trades`: the candles and volume alone). */
async function runChart(browser) {
  const page = await newPage(browser);
  await signIn(page);
  const candlesOnly = "?hide=lines,trades";
  await runChartMs(page, candlesOnly); // warm-up: the bundle's first parse and compile
  const full = [];
  const candles = [];
  for (let i = 0; i < CHART_LOADS; i++) {
    candles.push(await runChartMs(page, candlesOnly));
    full.push(await runChartMs(page, ""));
  }
  const shown = await page.evaluate(() => ({ candles: window.__runChart.candles(), markers: window.__runChart.markers(), lines: window.__runChart.lines().length }));
  if (shown.markers === 0 || shown.lines === 0) throw new Error(`the run chart drew no markers or lines: ${JSON.stringify(shown)}`);
  await page.context().close();
  return { full_ms: percentile(full, 50), candles_ms: percentile(candles, 50), candles: shown.candles, trades: shown.markers / 2 };
}

/** tests/e2e/bot_clock.py's flood: `rate` equity messages/s to the user's sockets. */
function flood(seconds) {
  const child = spawn(env.BENCH_PYTHON, ["tests/e2e/bot_clock.py", "flood", USERNAME, String(FLOOD_RATE), String(seconds)], {
    cwd: env.BENCH_ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  const started = new Promise((resolve) =>
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("flooding")) resolve();
    }),
  );
  const finished = new Promise((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`flood exited ${code}: ${output}`)))),
  );
  return { started, finished };
}

async function botsPage(browser) {
  const page = await newPage(browser);
  await signIn(page);
  await page.goto(`${BASE_URL}/bots`);
  await page.waitForFunction((count) => (window.__botsPage?.count() ?? 0) >= count, BOTS);
  const idle = await idleFrames(page);
  const messages = flood(SECONDS);
  await messages.started;
  await startFrames(page);
  await messages.finished;
  const loaded = await stopFrames(page);
  await page.context().close();
  return { load_frame_p95_ms: percentile(loaded, 95), idle_frame_p95_ms: percentile(idle, 95), load_frames: loaded.length };
}

/** Clicks Pause once more than `received` candles have arrived (at once with 0), in the same
 * page task as the wait, so that a short replay cannot end in between on a loaded machine; stops
 * recording frames there (if recording). Ms from the click to the first frame showing the
 * position it stays at. */
async function pauseMs(page, received = 0) {
  return page.evaluate(async (count) => {
    const chart = window.__replayChart;
    // The Pause button too: on a loaded machine the candles can arrive before React has drawn
    // the playing state (and its button).
    const pauseButton = () => document.querySelector('[data-testid="replay-pause"]');
    while ((chart.stream().received ?? 0) <= count || !pauseButton()) await new Promise((resolve) => requestAnimationFrame(resolve));
    if (window.__benchFrames) window.__benchFrames.running = false;
    const clickedAt = performance.now();
    pauseButton().click();
    let last = chart.lastTime();
    let shownAt = null;
    while (performance.now() < clickedAt + 1_500) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const now = performance.now();
      if (shownAt === null || chart.lastTime() !== last) [last, shownAt] = [chart.lastTime(), now];
    }
    return shownAt - clickedAt;
  }, received);
}

async function playReplay(page, speed, candles) {
  await page.getByTestId("replay-speed").selectOption(speed);
  const resume = page.getByTestId("replay-resume");
  if (await resume.isVisible()) await resume.click();
  await page.waitForFunction((n) => (window.__replayChart?.stream().received ?? 0) > n, candles);
}

async function replaySocket(browser) {
  const page = await newPage(browser);
  await signIn(page);
  await page.goto(`${BASE_URL}/backtests/${RUN_ID}`);
  await page.locator('[data-testid="run-details"][data-status="done"]').waitFor();
  await page.getByTestId("replay-open").click();
  const panel = page.getByTestId("replay-panel");
  await page.locator('[data-testid="replay-panel"][data-connection="open"]').waitFor();
  const total = Number(await panel.getAttribute("data-total"));

  await playReplay(page, "10", 5);
  const slowPause = await pauseMs(page);
  await page.locator('[data-testid="replay-panel"][data-phase="paused"]').waitFor();
  const paused = await idleFrames(page);
  await startFrames(page);
  await playReplay(page, "max", 0);
  const maxPause = await pauseMs(page, Math.round(total / 3)); // stops the frames' recording
  const playing = await stopFrames(page);
  await page.locator('[data-testid="replay-panel"][data-phase="paused"]').waitFor();
  await page.context().close();
  return {
    total,
    max_frame_p95_ms: percentile(playing, 95),
    paused_frame_p95_ms: percentile(paused, 95),
    // The longest frame: the longest the page was unresponsive (its longest task, and more).
    max_frame_longest_ms: Math.max(...playing),
    paused_frame_longest_ms: Math.max(...paused),
    max_pause_ms: maxPause,
    slow_pause_ms: slowPause,
  };
}

const browser = await launchBrowser();
try {
  const figures = {
    replay_page: await replayPage(browser),
    bots_page: await botsPage(browser),
    run_chart: await runChart(browser),
    replay_socket: await replaySocket(browser),
  };
  if (pageErrors.length > 0) throw new Error(`the pages threw: ${pageErrors.join("; ")}`);
  console.log(JSON.stringify(figures));
} finally {
  await browser.close();
}
